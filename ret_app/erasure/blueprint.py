from flask import Blueprint

bp = Blueprint("erasure", __name__)
