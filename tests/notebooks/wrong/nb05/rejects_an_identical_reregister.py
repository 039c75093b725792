# Exercise 5.1 — any second registration of a version raises, so re-running a cell or re-importing a module breaks.
# expect: should return the stored prompt, not raise
# rule: 5.1/reregister-same


def _register(self, id, version, template, *, response_format=None):
    if (id, version) in self._prompts:
        raise PromptChanged(f"{id} {version} is already registered")
    prompt = Prompt(id, version, template, response_format)
    self._prompts[(id, version)] = prompt
    return prompt


PromptRegistry.register = _register
