#!/usr/bin/env python3
"""Pinterest emulated data set: the three tables of the seed pipeline's RDS database
(pinterest_data, geolocation_data, user_data) with the seed's columns, types and quirks.

Uses only the Python standard library and the `mariadb` command-line client: it generates
SQL and pipes it into `mariadb` (or prints it with `sql`).

  datagen.py sql  --rows N [--seed S] [--start-ind K] [--no-create]   > pinterest.sql
  datagen.py load --rows N [--seed S] [connection options]            (create + fill)
  datagen.py live --rate R [--duration SEC] [--seed S] [connection options]
  datagen.py post    --url URL [--rows N | --forever] [--pool P] [--user-id U] [--rate R]
  datagen.py kinesis --url URL [--rows N | --forever] [--pool P] [--user-id U] [--rate R]

Rows are tied across the tables by ind (pinterest_data.`index` = geolocation_data.ind =
user_data.ind). Row ind k depends only on (seed, k): the same seed gives the same rows,
whatever the batch sizes, and `live` continues after the highest ind in the tables.
`post` does what the seed's user_posting_emulation.py does: it picks a random ind in 1..P
(the rows `load --rows P` puts in the tables, with the same seed), and POSTs the pin, geo and
user rows of it to <URL>/topics/<U>.pin, <U>.geo and <U>.user, each as
{"records":[{"value":{...row...}}]} with Content-Type application/vnd.kafka.json.v2+json
(Kafka REST Proxy v2, the worker's http-source), N times or until stopped. `kinesis` does what
user_posting_emulation_streaming.py does: PUT <URL>/streams/streaming-<U>-pin/record (and geo,
user) with {"StreamName":...,"Data":{...row...},"PartitionKey":"partition-1"} and
Content-Type application/json. --auth-file (a line user:password) adds basic auth, --cacert
trusts a CA for https URLs, --acked FILE appends "<topic> <ind> <status>" for every answer.
Connection options: --host --port --user --password --database, or MYSQL_HOST, MYSQL_TCP_PORT,
MYSQL_USER, MYSQL_PWD, MYSQL_DATABASE in the environment (the password is handed to the
client through MYSQL_PWD, never on its command line).
"""
import argparse
import base64
import datetime
import json
import os
import random
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

CATEGORIES = ["mens-fashion", "diy-and-crafts", "vehicles", "beauty", "home-decor",
              "education", "art", "travel", "quotes", "tattoos", "finance", "christmas",
              "event-planning"]
TOPICS = {
    "mens-fashion": ["Streetwear", "Suit", "Sneakers", "Beard Styles", "Casual Outfits"],
    "diy-and-crafts": ["Paper Flowers", "Macrame", "Upcycled Jars", "Kids Crafts", "Wood Signs"],
    "vehicles": ["Classic Cars", "Motorcycles", "Camper Van", "Supercars", "Truck Mods"],
    "beauty": ["Makeup Looks", "Nail Art", "Skin Care", "Hair Color", "Brows"],
    "home-decor": ["Living Room", "Boho Bedroom", "Kitchen Ideas", "Wall Art", "Plants"],
    "education": ["Classroom Ideas", "Study Tips", "Math Games", "Reading", "Science Fair"],
    "art": ["Watercolor", "Sketching", "Abstract Painting", "Portraits", "Digital Art"],
    "travel": ["Bucket List", "Road Trip", "Beach", "Europe", "Packing Tips"],
    "quotes": ["Motivation", "Love Quotes", "Life Lessons", "Funny Quotes", "Inspiration"],
    "tattoos": ["Small Tattoos", "Sleeve", "Minimalist Tattoo", "Floral Tattoo", "Script"],
    "finance": ["Budgeting", "Saving Money", "Side Hustle", "Investing", "Debt Free"],
    "christmas": ["Christmas Tree", "Ornaments", "Gift Ideas", "Cookies", "Wreaths"],
    "event-planning": ["Wedding", "Birthday Party", "Baby Shower", "Table Setting", "Venues"],
}
WORDS = ["easy", "best", "ideas", "simple", "diy", "cute", "modern", "vintage", "budget",
         "beautiful", "creative", "amazing", "tips", "for", "and", "the", "with", "your"]
FIRST = ["Abigail", "Aaron", "Alexandra", "Andrew", "Bethany", "Brian", "Charlotte", "Chris",
         "Daniel", "Denise", "Elizabeth", "Ethan", "Fatima", "Gabriel", "Hannah", "Ian",
         "Isabella", "Jack", "Jasmine", "Kevin", "Laura", "Liam", "Maria", "Mohammed", "Nina",
         "Oliver", "Priya", "Rachel", "Samuel", "Sophia", "Thomas", "Yuki", "Zoe"]
LAST = ["Ali", "Anderson", "Brown", "Chen", "Davis", "Evans", "Fernandez", "Garcia", "Gupta",
        "Hall", "Ivanova", "Johnson", "Kim", "Lopez", "Martin", "Nguyen", "O'Brien", "Patel",
        "Rossi", "Smith", "Taylor", "Walker", "Williams", "Young"]
COUNTRIES = ["Albania", "Algeria", "Argentina", "Australia", "Brazil", "Canada", "Chile",
             "China", "Egypt", "France", "Germany", "India", "Indonesia", "Italy", "Japan",
             "Kenya", "Mexico", "Netherlands", "Nigeria", "Norway", "Peru", "Poland",
             "Saudi Arabia", "South Africa", "Spain", "Sweden", "Turkey", "United Kingdom",
             "United States of America", "Vietnam", "Côte d'Ivoire"]
MEDIA = ["image", "image", "image", "video", "multi-video(story page format)"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS pinterest_data (
  `index` INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  unique_id VARCHAR(36) NOT NULL,
  title TEXT, description TEXT, poster_name VARCHAR(255), follower_count VARCHAR(20),
  tag_list TEXT, is_image_or_video VARCHAR(40), image_src TEXT, downloaded INT,
  save_location VARCHAR(255), category VARCHAR(40)
) DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS geolocation_data (
  ind INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  `timestamp` DATETIME NOT NULL, latitude DOUBLE, longitude DOUBLE, country VARCHAR(100)
) DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS user_data (
  ind INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  first_name VARCHAR(40), last_name VARCHAR(40), age INT, date_joined DATETIME NOT NULL
) DEFAULT CHARSET=utf8mb4;
"""

T0 = datetime.datetime(2015, 1, 1)
T_SPAN = int((datetime.datetime(2022, 12, 31, 23, 59, 59) - T0).total_seconds())
J_SPAN = int((datetime.datetime(2020, 12, 31, 23, 59, 59) - T0).total_seconds())


def follower_count(r):
    k = r.random()
    if k < 0.35:
        return str(r.randint(0, 999))
    if k < 0.65:
        return "%dk" % r.randint(1, 999)
    if k < 0.80:
        return "%.1fk" % (r.randint(10, 999) / 10.0)
    if k < 0.93:
        return "%dM" % r.randint(1, 9)
    if k < 0.97:
        return "%.1fM" % (r.randint(10, 99) / 10.0)
    return ""


def coordinate(r, limit):
    # like the seed's -89.9787 / -173.293: 3 to 6 decimals, Python's shortest repr
    return round(r.uniform(-limit, limit), r.choice([3, 4, 4, 5, 6]))


def make_rows(seed, ind, live_now=None):
    r = random.Random("%s:%d" % (seed, ind))
    category = r.choice(CATEGORIES)
    topic = r.choice(TOPICS[category])
    pin_error = r.random() < 0.05
    media = r.choice(MEDIA)
    title = ("No Title Data Available" if r.random() < 0.05 else
             "%s %s %s" % (r.choice(WORDS).title(), topic, r.choice(WORDS)))
    d = r.random()
    if d < 0.04:
        description = "No description available Story format"
    elif d < 0.06:
        description = "No description available"
    elif d < 0.08:
        description = ""
    else:
        description = "%s: %s %s, %s \"%s\" and more\nSee more %s" % (
            topic, r.choice(WORDS), r.choice(WORDS), r.choice(WORDS), topic.lower(),
            category.replace("-", " "))
    if pin_error:
        poster, followers = "User Info Error", "User Info Error"
    else:
        poster = "%s %s" % (r.choice(WORDS).title(), r.choice(["Ideas", "Studio", "Life",
                                                              "Daily", "Co", "Blog"]))
        followers = follower_count(r)
    tags = ("N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e" if r.random() < 0.05 else
            ",".join(r.sample(TOPICS[category], 3)))
    image_error = r.random() < 0.05
    image_src = ("Image src error." if image_error else
                 "https://i.pinimg.com/originals/%02x/%02x/%02x/%032x.jpg" % (
                     r.randrange(256), r.randrange(256), r.randrange(256),
                     r.getrandbits(128)))
    pin = (ind, str(uuid.UUID(int=r.getrandbits(128), version=4)), title, description,
           poster, followers, tags, media, image_src, 0 if image_error else 1,
           "Local save in /data/%s" % category, category)
    ts = live_now or (T0 + datetime.timedelta(seconds=r.randrange(T_SPAN)))
    geo = (ind, ts.strftime("%Y-%m-%d %H:%M:%S"), coordinate(r, 90), coordinate(r, 180),
           r.choice(COUNTRIES))
    age = min(70, max(18, int(r.gauss(32, 10))))
    joined = T0 + datetime.timedelta(seconds=r.randrange(J_SPAN))
    user = (ind, r.choice(FIRST), r.choice(LAST), age, joined.strftime("%Y-%m-%d %H:%M:%S"))
    return pin, geo, user


def sql_value(v):
    if v is None:
        return "NULL"
    if isinstance(v, (int, float)):
        return repr(v)
    return "'" + v.replace("\\", "\\\\").replace("'", "\\'").replace("\n", "\\n") + "'"


def insert(table, columns, rows):
    return "INSERT INTO %s (%s) VALUES\n%s;\n" % (
        table, ", ".join(columns),
        ",\n".join("(" + ", ".join(sql_value(v) for v in row) + ")" for row in rows))


PIN_COLS = ["`index`", "unique_id", "title", "description", "poster_name", "follower_count",
            "tag_list", "is_image_or_video", "image_src", "downloaded", "save_location",
            "category"]
GEO_COLS = ["ind", "`timestamp`", "latitude", "longitude", "country"]
USER_COLS = ["ind", "first_name", "last_name", "age", "date_joined"]


def generate_sql(out, rows, seed, start, create, chunk=500):
    out.write("SET NAMES utf8mb4;\n")
    if create:
        out.write(SCHEMA)
    ind = start
    end = start + rows
    while ind < end:
        n = min(chunk, end - ind)
        batch = [make_rows(seed, i) for i in range(ind, ind + n)]
        out.write("START TRANSACTION;\n")
        out.write(insert("pinterest_data", PIN_COLS, [b[0] for b in batch]))
        out.write(insert("geolocation_data", GEO_COLS, [b[1] for b in batch]))
        out.write(insert("user_data", USER_COLS, [b[2] for b in batch]))
        out.write("COMMIT;\n")
        ind += n


def client_cmd(a, extra=()):
    cmd = [a.client, "--no-defaults", "--default-character-set=utf8mb4", "--batch",
           "--skip-column-names"]
    if a.host:
        cmd += ["-h", a.host]
    if a.port:
        cmd += ["-P", str(a.port)]
    if a.user:
        cmd += ["-u", a.user]
    cmd += list(extra)
    if a.database:
        cmd.append(a.database)
    return cmd


def client_env(a):
    env = dict(os.environ)
    if a.password is not None:
        env["MYSQL_PWD"] = a.password
    return env


def max_ind(a):
    out = subprocess.run(client_cmd(a, ["-e", "SELECT COALESCE(MAX(`index`), 0) FROM "
                                           "pinterest_data"]),
                         env=client_env(a), check=True, capture_output=True, text=True)
    return int(out.stdout.strip() or 0)


def cmd_load(a):
    p = subprocess.Popen(client_cmd(a), stdin=subprocess.PIPE, env=client_env(a), text=True,
                         encoding="utf-8")
    generate_sql(p.stdin, a.rows, a.seed, a.start_ind, not a.no_create)
    p.stdin.close()
    return p.wait()


def cmd_live(a):
    if not a.no_create:
        subprocess.run(client_cmd(a), input=SCHEMA, env=client_env(a), check=True, text=True)
    ind = max_ind(a) + 1
    p = subprocess.Popen(client_cmd(a), stdin=subprocess.PIPE, env=client_env(a), text=True,
                         encoding="utf-8")
    p.stdin.write("SET NAMES utf8mb4;\n")
    start = time.monotonic()
    n = 0
    try:
        while a.duration is None or time.monotonic() - start < a.duration:
            now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None,
                                                                       microsecond=0)
            pin, geo, user = make_rows(a.seed, ind, live_now=now)
            p.stdin.write("START TRANSACTION;\n" + insert("pinterest_data", PIN_COLS, [pin]) +
                          insert("geolocation_data", GEO_COLS, [geo]) +
                          insert("user_data", USER_COLS, [user]) + "COMMIT;\n")
            p.stdin.flush()
            ind += 1
            n += 1
            delay = start + n / a.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
    except (KeyboardInterrupt, BrokenPipeError):
        pass
    try:
        p.stdin.close()
    except BrokenPipeError:
        pass
    rc = p.wait()
    print("live: inserted %d rows (ind up to %d)" % (n, ind - 1), file=sys.stderr)
    return rc


PIN_KEYS = ["index", "unique_id", "title", "description", "poster_name", "follower_count",
            "tag_list", "is_image_or_video", "image_src", "downloaded", "save_location",
            "category"]
GEO_KEYS = ["ind", "timestamp", "latitude", "longitude", "country"]
USER_KEYS = ["ind", "first_name", "last_name", "age", "date_joined"]


def seed_rows(seed, ind):
    """The three rows of ind as the seed's emulation holds them: dicts of the SELECT's
    columns, DATETIMEs as datetime objects (json.dumps(default=str) writes them)."""
    pin, geo, user = make_rows(seed, ind)
    geo = dict(zip(GEO_KEYS, geo))
    geo["timestamp"] = datetime.datetime.strptime(geo["timestamp"], "%Y-%m-%d %H:%M:%S")
    user = dict(zip(USER_KEYS, user))
    user["date_joined"] = datetime.datetime.strptime(user["date_joined"], "%Y-%m-%d %H:%M:%S")
    return {"pin": dict(zip(PIN_KEYS, pin)), "geo": geo, "user": user}


def http_send(a, method, url, payload, headers):
    """One request as the seed's requests.request(method, url, headers=..., data=payload)
    sends it. Returns the status (0 when no answer came)."""
    headers = dict(headers)
    if a.auth_file:
        with open(a.auth_file, encoding="utf-8") as f:
            cred = f.readline().strip()
        headers["Authorization"] = "Basic " + base64.b64encode(cred.encode()).decode()
    req = urllib.request.Request(url, data=payload.encode("utf-8"), headers=headers,
                                 method=method)
    ctx = ssl.create_default_context(cafile=a.cacert) if a.cacert else None
    try:
        with urllib.request.urlopen(req, timeout=60, context=ctx) as resp:
            resp.read()
            return resp.status
    except urllib.error.HTTPError as e:
        e.read()
        return e.code
    except (urllib.error.URLError, OSError) as e:
        print("%s %s: %s" % (method, url, e), file=sys.stderr)
        return 0


def cmd_emulate(a):
    r = random.Random("%s:emulation" % a.seed)
    base = a.url.rstrip("/")
    acked = open(a.acked, "a", encoding="utf-8") if a.acked else None
    n = failed = 0
    start = time.monotonic()
    order = list(range(a.start_ind, a.start_ind + a.pool))
    if a.distinct:
        r.shuffle(order)
    try:
        while a.forever or n < a.rows:
            ind = order[n % a.pool] if a.distinct else r.choice(order)
            rows = seed_rows(a.seed, ind)
            for table in ("pin", "geo", "user"):
                if a.command == "post":
                    topic = "%s.%s" % (a.user_id, table)
                    url = "%s/topics/%s" % (base, topic)
                    payload = json.dumps({"records": [{"value": rows[table]}]}, default=str)
                    headers = {"Content-Type": "application/vnd.kafka.json.v2+json"}
                    method = "POST"
                else:
                    topic = "streaming-%s-%s" % (a.user_id, table)
                    url = "%s/streams/%s/record" % (base, topic)
                    payload = json.dumps({"StreamName": topic, "Data": rows[table],
                                          "PartitionKey": "partition-1"}, default=str)
                    headers = {"Content-Type": "application/json"}
                    method = "PUT"
                status = http_send(a, method, url, payload, headers)
                failed += status != 200
                if acked:
                    acked.write("%s %d %d\n" % (topic, ind, status))
                    acked.flush()
                if status == 0 and a.stop_on_error:
                    return 1
            n += 1
            if a.rate > 0:
                delay = start + n / a.rate - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
    except KeyboardInterrupt:
        pass
    finally:
        if acked:
            acked.close()
    print("%s: %d rows sent (%d requests not answered 200)" % (a.command, n, failed),
          file=sys.stderr)
    return 0 if failed == 0 else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["sql", "load", "live", "post", "kinesis"])
    ap.add_argument("--rows", type=int, default=1000, help="rows per table (sql, load)")
    ap.add_argument("--seed", default="1", help="any text; same seed, same rows")
    ap.add_argument("--start-ind", type=int, default=1, help="first ind (sql, load; post, kinesis: of the pool)")
    ap.add_argument("--no-create", action="store_true", help="do not CREATE TABLE")
    ap.add_argument("--rate", type=float, default=1.0, help="live: rows per second")
    ap.add_argument("--duration", type=float, default=None, help="live: seconds (forever)")
    ap.add_argument("--host", default=os.environ.get("MYSQL_HOST"))
    ap.add_argument("--port", default=os.environ.get("MYSQL_TCP_PORT"))
    ap.add_argument("--user", default=os.environ.get("MYSQL_USER"))
    ap.add_argument("--password", default=None, help="or MYSQL_PWD in the environment")
    ap.add_argument("--database", default=os.environ.get("MYSQL_DATABASE"))
    ap.add_argument("--client", default="mariadb", help="the mysql/mariadb client program")
    ap.add_argument("--url", help="post, kinesis: the API's base URL (http://127.0.0.1:8082)")
    ap.add_argument("--forever", action="store_true", help="post, kinesis: until Ctrl-C")
    ap.add_argument("--pool", type=int, default=1000,
                    help="post, kinesis: rows to pick from (ind 1..P)")
    ap.add_argument("--distinct", action="store_true",
                    help="post, kinesis: every ind of the pool once (random order), not "
                         "random picks with repeats")
    ap.add_argument("--user-id", default="0a1b2c3d4e5f",
                    help="post, kinesis: the <user> of the topics <user>.pin ...")
    ap.add_argument("--auth-file", help="post, kinesis: a file whose first line is user:password")
    ap.add_argument("--cacert", help="post, kinesis: CA certificate for an https URL")
    ap.add_argument("--acked", help="post, kinesis: append '<topic> <ind> <status>' lines here")
    ap.add_argument("--stop-on-error", action="store_true",
                    help="post, kinesis: stop when a request gets no answer")
    a = ap.parse_args()
    if a.rows < 0 or a.rate <= 0:
        ap.error("--rows must be >= 0 and --rate > 0")
    if a.command == "sql":
        try:
            generate_sql(sys.stdout, a.rows, a.seed, a.start_ind, not a.no_create)
            sys.stdout.flush()
        except BrokenPipeError:
            # the reader stopped early (| head): not an error; keep the exit quiet
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    if a.command == "load":
        return cmd_load(a)
    if a.command in ("post", "kinesis"):
        if not a.url or a.pool < 1:
            ap.error("post and kinesis need --url and --pool >= 1")
        if a.command in ("post", "kinesis") and a.rate == 1.0 and "--rate" not in sys.argv:
            a.rate = 0  # as fast as the answers come unless asked
        return cmd_emulate(a)
    return cmd_live(a)


if __name__ == "__main__":
    sys.exit(main())
