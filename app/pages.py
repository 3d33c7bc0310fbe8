"""How far page lists count and reach, and the `X-Pagination` header that tells it: shared by the blueprints,
which page, and the OpenAPI document, which describes the header."""

import marshmallow as ma
from flask_smorest.pagination import PaginationMetadataSchema

# Page lists stay cheap however long they grow: a total is counted exactly up to TOTAL_COUNTED_UP_TO items and
# said to be "more than" beyond that, and pages reach the first PAGES_REACH items (a deeper OFFSET reads every row
# before it); a longer list is narrowed with its filters.
TOTAL_COUNTED_UP_TO = 1_000
PAGES_REACH = 10_000


class PageMetadataSchema(PaginationMetadataSchema):
    """`X-Pagination`: flask-smorest's page metadata, and whether `total` is exact."""

    total = ma.fields.Int(
        metadata={
            "description": f"The number of items when `total_is_exact`; otherwise the list holds more than this "
            f"(counting stops past {TOTAL_COUNTED_UP_TO:,}). Pages reach the first {PAGES_REACH:,} items; a page "
            "past them is a 422."
        }
    )
    total_is_exact = ma.fields.Bool(
        metadata={"description": "False when the list is longer than counted: no `total_pages` nor `last_page` then."}
    )


PAGINATION_HEADER = {"description": "Page metadata (JSON).", "schema": PageMetadataSchema}
