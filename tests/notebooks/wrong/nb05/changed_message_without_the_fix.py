# Exercise 5.1 — PromptChanged says only "content differs": the author is not told to bump the version.
# expect: should tell the author to register the change under a new
# rule: 5.1/changed-raises


def _register(self, id, version, template, *, response_format=None):
    new = Prompt(id, version, template, response_format)
    old = self._prompts.get((id, version))
    if old is None:
        self._prompts[(id, version)] = new
        return new
    if old.hash != new.hash:
        raise PromptChanged(f"prompt {id!r}: content differs from what is stored")
    return old


PromptRegistry.register = _register
