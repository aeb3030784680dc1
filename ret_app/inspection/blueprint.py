from flask import Blueprint

bp = Blueprint("inspection", __name__)
