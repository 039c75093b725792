# Exercise 5.1 — render substitutes by hand and leaves the doubled braces {{ }} in the text the model reads.
# expect: should fill the {shop} placeholder
# rule: 5.1/render-fills


def _render(self, **variables):
    text = self.template
    for name, value in variables.items():
        text = text.replace("{" + name + "}", str(value))
    if "{shop}" in text:
        raise KeyError("shop")
    return text


Prompt.render = _render
