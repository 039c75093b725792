# Exercise 5.1 — render replaces the variables it is given and ships any other {placeholder} to the model as is.
# expect: with a placeholder left unfilled should raise KeyError
# rule: 5.1/render-missing


def _render(self, **variables):
    text = self.template
    for name, value in variables.items():
        text = text.replace("{" + name + "}", str(value))
    return text.replace("{{", "{").replace("}}", "}")


Prompt.render = _render
