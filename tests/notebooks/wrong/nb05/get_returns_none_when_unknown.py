# Exercise 5.1 — get() answers None for an unknown version, so a typo renders as an AttributeError three calls later.
# expect: get of an unknown version should raise KeyError
# rule: 5.1/get-unknown


def _get(self, id, version):
    return self._prompts.get((id, version))


PromptRegistry.get = _get
