from flask import Blueprint

bp = Blueprint("commitments", __name__)
