"""Domain and application errors as problem+json answers, each naming the field at fault."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from retail_platform.problems import ProblemError

from promotion.application.errors import ChannelNotAllowed, NotFound
from promotion.domain.errors import InvalidTransition, PromotionError, SegregationOfDuties

CONFLICT = "urn:retail-sync:problem:promotion-conflict"


@contextmanager
def translated_errors() -> Iterator[None]:
    try:
        yield
    except NotFound as error:
        raise ProblemError(404, "Not found", str(error), field=error.what) from error
    except ChannelNotAllowed as error:
        raise ProblemError(403, "Forbidden", error.reason, field=error.field) from error
    except SegregationOfDuties as error:
        raise ProblemError(
            403,
            "Segregation of duties",
            f"{error}: approval needs a second user",
            field="approver",
            type="urn:retail-sync:problem:segregation-of-duties",
        ) from error
    except InvalidTransition as error:
        raise ProblemError(
            409, "Invalid lifecycle transition", str(error), field="status", type=CONFLICT
        ) from error
    except PromotionError as error:
        field = getattr(error, "field", None)
        raise ProblemError(409, "Conflict", str(error), field=field, type=CONFLICT) from error
