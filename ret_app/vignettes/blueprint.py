from flask import Blueprint

bp = Blueprint("vignettes", __name__)
