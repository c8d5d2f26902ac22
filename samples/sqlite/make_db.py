"""Builds data/app.db, the small database the function ships (run by the build when it is missing)."""
import os
import sqlite3
import sys

path = sys.argv[1] if len(sys.argv) > 1 else os.path.join("data", "app.db")
os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
if os.path.exists(path):
    os.remove(path)
with sqlite3.connect(path) as db:
    db.execute("CREATE TABLE greetings (id INTEGER PRIMARY KEY, language TEXT NOT NULL, text TEXT NOT NULL)")
    db.executemany("INSERT INTO greetings (language, text) VALUES (?, ?)",
                   [("en", "Hello, world!"), ("fr", "Bonjour, le monde !"), ("de", "Hallo, Welt!")])
db.close()
