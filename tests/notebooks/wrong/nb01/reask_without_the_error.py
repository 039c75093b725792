# Exercise 1.5 — reask without the error
# expect: tell the model what was wrong
# rule: 1.5/reask-with-the-error
# Re-asks with a bare 'try again': the model never learns what was wrong, and says it again.
REASK = "That answer was not valid. Please try again."
