"""search keys: Chinese also spelled in pinyin read by phrase (重庆: chongqing, not only zhongqing)

Revision ID: 0019
Revises: 0018
"""

from alembic import op

# The application's own functions, as in 0010: the stored keys must be exactly what the models
# compute and the search compares against.
from matchmaking.search_key_rows import recompute_keys
from matchmaking.search_keys import pinyin

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade():
    # The keys of the rows holding Chinese (the others are unchanged).
    recompute_keys(op.get_bind(), pinyin)


def downgrade():
    pass  # the keys with pinyin still hold every spelling the older search compared against
