"""search keys: Russian also spelled as passports spell it (Байкал: baikal, not only baykal)

Revision ID: 0020
Revises: 0019
"""

from alembic import op

# The application's own functions, as in 0010: the stored keys must be exactly what the models
# compute and the search compares against.
from matchmaking.search_key_rows import recompute_keys
from matchmaking.search_keys import passport

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    # The keys of the rows holding a Russian letter that passports spell otherwise (й, ю, я,
    # ё); the others are unchanged.
    recompute_keys(op.get_bind(), passport)


def downgrade():
    pass  # the keys with passport spellings still hold every spelling the older search used
