"""search keys: the pinyin of Chinese also from each syllable on (words now match at their start)

Revision ID: 0021
Revises: 0020
"""

from alembic import op

# The application's own functions, as in 0010: the stored keys must be exactly what the models
# compute and the search compares against.
from matchmaking.search_key_rows import recompute_keys
from matchmaking.search_keys import pinyin_suffixes

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade():
    # The keys of the rows holding Chinese of two syllables or more; the others are unchanged.
    recompute_keys(op.get_bind(), pinyin_suffixes)


def downgrade():
    pass  # the longer keys still hold every spelling the older search used
