-- wrk script for bench.sh: POSTs the same REST Proxy v2 request (HS_BODY, 100 records) and
-- counts answers other than 200, so that only acknowledged records count as throughput.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/vnd.kafka.json.v2+json"
local f = assert(io.open(os.getenv("HS_BODY"), "r"))
wrk.body = f:read("*a")
f:close()

local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status ~= 200 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  io.write(string.format("BENCH requests=%d non200=%d duration_us=%d p99_us=%d\n",
    summary.requests, b, summary.duration, latency:percentile(99)))
end
