# Exercise 6.6 — re-asks with a generic "try again": the model is not told what was wrong.
# expect: says what was wrong
# rule: 6.6/one-reask
REASK = "Your last answer was rejected. Answer the customer's question again, in the required JSON format."
