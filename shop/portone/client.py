class PortOneError(Exception):
    pass


class PortOneUnavailable(PortOneError):
    pass


class PortOneClient:
    def __init__(self, api_base, api_key, api_secret):
        self.api_base = api_base
