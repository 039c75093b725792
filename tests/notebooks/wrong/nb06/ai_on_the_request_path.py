# Exercise 6.6 — everything hardened, but the page still waits for the model.
# expect: The customer's page should not wait for the model
# rule: 6.6/off-request-path
_build_off_the_path = build_hardened


def build_hardened(sb, **kwargs):
    deployment = _build_off_the_path(sb, **kwargs)
    return Deployment(deployment.handler, name="hardened, inline")
