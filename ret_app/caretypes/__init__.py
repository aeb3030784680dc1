"""The care-type catalogue per region: reference data the functional administrator maintains, and the
one service every capability asks for the choices, names and validity of a care type."""
