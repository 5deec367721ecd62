# The pin recipe of connectors/pinterest-s3-sink.properties written in jq, for the
# benchmark: same input, same output (the benchmark checks that both agree).
def placeholders: ["No Title Data Available", "No description available Story format",
  "No description available", "User Info Error", "N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e",
  "Image src error."];
def human:
  # Exact: integer part times the multiplier plus the fraction digits scaled, so that
  # '32.2k' is 32200 and not 32200.000000000004 (as 32.2 * 1000 would be).
  (capture("^(?<i>[0-9]+)(\\.(?<f>[0-9]+))?(?<s>[kKmMbB]?)$") // error("bad human number: \(.)")) as $m
  | ({"": 1, "k": 1000, "K": 1000, "m": 1000000, "M": 1000000, "b": 1000000000,
      "B": 1000000000}[$m.s]) as $mult
  | ($m.f // "") as $f
  | ($mult / pow(10; $f | length)) as $unit
  | if ($unit | floor) != $unit then error("not a whole number: \(.)") else . end
  | ($m.i | tonumber) * $mult + (if $f == "" then 0 else ($f | tonumber) * $unit end);

map_values(if type == "string" and (. == "" or (. as $v | any(placeholders[]; . == $v)))
           then null else . end)
| .follower_count |= (if type == "string" then human else . end)
| .index |= (if type == "string" then tonumber else . end)
| .save_location |= (if type == "string" and startswith("Local save in ") then .[14:] else . end)
| {ind: .index, unique_id, title, description, follower_count, poster_name, tag_list,
   is_image_or_video, image_src, save_location, category}
