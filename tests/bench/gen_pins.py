#!/usr/bin/env python3
"""Writes N pin records (one JSON object per line) shaped like the seed's pinterest_data,
with its placeholders and human-written follower counts. Seeded: reproducible."""
import json, random, sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
rnd = random.Random(600)
cats = ["mens-fashion", "diy-and-crafts", "finance", "travel", "beauty", "quotes", "art"]
words = "summer crafts kids easy fun ideas home decor style outfit travel tips budget art".split()
for i in range(n):
    cat = rnd.choice(cats)
    bad = rnd.random() < 0.1
    fc = rnd.choice([str(rnd.randint(0, 999)), "%dk" % rnd.randint(1, 999),
                     "%d.%dk" % (rnd.randint(1, 99), rnd.randint(1, 9)), "%dM" % rnd.randint(1, 9)])
    rec = {
        "index": i if rnd.random() < 0.8 else str(i),
        "unique_id": "%08x-%04x-%04x-%04x-%012x" % tuple(rnd.getrandbits(b) for b in (32, 16, 16, 16, 48)),
        "title": "No Title Data Available" if bad else " ".join(rnd.choice(words) for _ in range(6)).title(),
        "description": "No description available Story format" if bad else " ".join(rnd.choice(words) for _ in range(20)),
        "poster_name": "User Info Error" if bad else "Poster %d" % rnd.randint(1, 5000),
        "follower_count": "User Info Error" if bad else fc,
        "tag_list": "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e" if bad else ",".join(rnd.choice(words) for _ in range(5)),
        "is_image_or_video": rnd.choice(["image", "video", "multi-video(story page format)"]),
        "image_src": "Image src error." if bad else "https://i.pinimg.com/originals/%02x/%02x/%032x.jpg" % (rnd.getrandbits(8), rnd.getrandbits(8), rnd.getrandbits(128)),
        "downloaded": rnd.randint(0, 1),
        "save_location": "Local save in /data/" + cat,
        "category": cat if rnd.random() < 0.97 else "",
    }
    print(json.dumps(rec, separators=(",", ":")))
