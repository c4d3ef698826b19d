def register_filters(app):
    pass
