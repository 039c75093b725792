# Exercise 5.1 — the registry stores whatever it is given: an edited prompt silently replaces the one the suite ran.
# expect: should raise PromptChanged; it was accepted
# rule: 5.1/changed-raises


def _register(self, id, version, template, *, response_format=None):
    prompt = Prompt(id, version, template, response_format)
    self._prompts[(id, version)] = prompt
    return prompt


PromptRegistry.register = _register
