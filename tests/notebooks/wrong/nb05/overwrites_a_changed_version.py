# exercise: 5.1
# ruff: noqa: F821 (the names come from the solution notebook this file is overlaid on)
# The registry stores whatever it is given: an edited prompt silently replaces the one the suite ran.


def _register(self, id, version, template, *, response_format=None):
    prompt = Prompt(id, version, template, response_format)
    self._prompts[(id, version)] = prompt
    return prompt


PromptRegistry.register = _register
