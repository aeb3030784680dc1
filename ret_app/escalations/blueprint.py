from flask import Blueprint

bp = Blueprint("escalations", __name__)
