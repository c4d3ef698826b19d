from flask import Blueprint

bp = Blueprint("window", __name__)
