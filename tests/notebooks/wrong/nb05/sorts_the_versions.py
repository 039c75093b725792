# Exercise 5.1 — versions() sorts the version strings: "10" comes before "9", and the newest is no longer last.
# expect: in the order registered, not sorted
# rule: 5.1/versions-order


def _versions(self, id):
    return sorted(version for (pid, version) in self._prompts if pid == id)


PromptRegistry.versions = _versions
