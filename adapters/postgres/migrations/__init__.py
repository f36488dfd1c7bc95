# Package marker so importlib.resources can find the SQL files (declared as package data).
