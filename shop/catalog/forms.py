"""The catalog's search box."""

from shop.forms import QueryForm, search_field


class SearchForm(QueryForm):
    """What the catalog lists: the products whose name or description holds ``q``."""

    q = search_field(max_length=100)
