"""The API's error bodies, word for word where the course relies on the words.

Every error is ``{"error": {"message", "type", "param", "code"}}`` with an HTTP status:

    400 invalid_request_error   malformed JSON, missing/invalid fields, context_length_exceeded, unsupported_parameter
    401 invalid_request_error   invalid_api_key
    404 invalid_request_error   model_not_found, unknown URL
    429 requests / tokens       rate_limit_exceeded (retry-after, retry-after-ms, x-ratelimit-*)
    429 insufficient_quota      insufficient_quota (no retry-after: waiting never helps)
    500 server_error            server_error
    503 server_error            overloaded
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "ApiError",
    "context_length_exceeded",
    "insufficient_quota",
    "invalid_api_key",
    "invalid_url",
    "max_tokens_too_large",
    "model_not_found",
    "overloaded",
    "server_error",
    "unsupported_max_tokens",
]


@dataclass(slots=True)
class ApiError(Exception):
    """An error response the provider answers with (raised inside the pipeline, rendered as the JSON body)."""

    status: int
    message: str
    type: str = "invalid_request_error"
    param: str | None = None
    code: str | None = None
    headers: dict[str, str] = field(default_factory=dict)

    def body(self) -> dict[str, dict[str, str | None]]:
        return {"error": {"message": self.message, "type": self.type, "param": self.param, "code": self.code}}

    @property
    def log_code(self) -> str:
        return self.code or self.type


def invalid_api_key(sent: str | None) -> ApiError:
    if not sent:
        msg = (
            "You didn't provide an API key. You need to provide your API key in an Authorization header using "
            "Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
        )
    else:
        shown = sent[:3] + "*" * 4 + sent[-4:] if len(sent) > 8 else "*" * len(sent)
        msg = f"Incorrect API key provided: {shown}. Use the key the mock provider was created with."
    return ApiError(401, msg, code="invalid_api_key")


def invalid_url(method: str, path: str) -> ApiError:
    return ApiError(404, f"Invalid URL ({method} {path})")


def model_not_found(name: str) -> ApiError:
    return ApiError(404, f"The model `{name}` does not exist or you do not have access to it.", code="model_not_found")


def unsupported_max_tokens() -> ApiError:
    return ApiError(
        400,
        "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        param="max_tokens",
        code="unsupported_parameter",
    )


def max_tokens_too_large(param: str, asked: int, limit: int) -> ApiError:
    return ApiError(
        400,
        f"{param} is too large: {asked}. This model supports at most {limit} completion tokens, "
        f"whereas you provided {asked}.",
        param=param,
        code="invalid_value",
    )


def context_length_exceeded(limit: int, prompt: int, completion: int | None) -> ApiError:
    if completion is None:
        msg = (
            f"This model's maximum context length is {limit} tokens. However, your messages resulted in {prompt} "
            "tokens. Please reduce the length of the messages."
        )
    else:
        msg = (
            f"This model's maximum context length is {limit} tokens. However, you requested {prompt + completion} "
            f"tokens ({prompt} in the messages, {completion} in the completion). Please reduce the length of the "
            "messages or completion."
        )
    return ApiError(400, msg, param="messages", code="context_length_exceeded")


def insufficient_quota() -> ApiError:
    return ApiError(
        429,
        "You exceeded your current quota, please check your plan and billing details. For more information on this "
        "error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.",
        type="insufficient_quota",
        code="insufficient_quota",
    )


def server_error() -> ApiError:
    return ApiError(
        500,
        "The server had an error while processing your request. Sorry about that!",
        type="server_error",
        code="server_error",
    )


def overloaded() -> ApiError:
    return ApiError(
        503,
        "The engine is currently overloaded, please try again later.",
        type="server_error",
        code="overloaded",
    )
