import os
import sqlite3

# The database ships at data/app.db in the package (/var/task/data/app.db on Lambda). /var/task is read-only:
# open it read-only through a URI.
DATABASE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "app.db")


def lambda_handler(event, context):
    language = (event or {}).get("language", "en")
    with sqlite3.connect(f"file:{DATABASE}?mode=ro", uri=True) as db:
        row = db.execute("SELECT text FROM greetings WHERE language = ?", (language,)).fetchone()
    if row is None:
        return {"statusCode": 404, "body": f"no greeting for {language}"}
    return {"statusCode": 200, "body": row[0]}
