from flask import Blueprint

bp = Blueprint("operations", __name__)
