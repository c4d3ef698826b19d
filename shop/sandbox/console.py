from flask import Blueprint

bp = Blueprint("console", __name__)
