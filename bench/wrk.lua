-- wrk driver of the benchmark: one scenario per run, described by files that bench/run.py writes.
--
--   wrk -t2 -c16 -d10s --latency -s bench/wrk.lua http://127.0.0.1:8765 -- <spec folder> <run tag>
--
-- The spec folder holds: method, path, body (optional), token, companies, people (one id a line).
-- In the path and body templates, each placeholder is replaced afresh in every request:
--   {company}  a random company id        {person}  a random person id
--   {u}        a unique token (run tag, thread, counter): unique emails, distinct values
-- done() prints one line "BENCH_RESULT {json}" with counts and latency percentiles (microseconds).

local thread_counter = 0

function setup(thread)
  thread_counter = thread_counter + 1
  thread:set("thread_number", thread_counter)
end

local method, path_template, body_template
local companies, people = {}, {}
local tag, counter = "", 0

local function read(folder, name)
  local file = io.open(folder .. "/" .. name, "rb")
  if not file then
    return nil
  end
  local text = file:read("*a")
  file:close()
  return text
end

local function lines(text)
  local found = {}
  for line in (text or ""):gmatch("[^\n]+") do
    found[#found + 1] = line
  end
  return found
end

function init(args)
  local folder = args[1]
  tag = (args[2] or "run") .. "-" .. tostring(thread_number)
  method = read(folder, "method"):gsub("%s+$", "")
  path_template = read(folder, "path"):gsub("%s+$", "")
  body_template = read(folder, "body")
  companies = lines(read(folder, "companies"))
  people = lines(read(folder, "people"))
  wrk.headers["Authorization"] = "Bearer " .. read(folder, "token"):gsub("%s+$", "")
  wrk.headers["Content-Type"] = "application/json"
  math.randomseed(os.time() * 1000 + thread_number)
end

local function fill(template)
  local text = template:gsub("{company}", function()
    return companies[math.random(#companies)]
  end)
  text = text:gsub("{person}", function()
    return people[math.random(#people)]
  end)
  text = text:gsub("{u}", function()
    counter = counter + 1
    return tag .. "-" .. counter
  end)
  return text
end

function request()
  local body = nil
  if body_template then
    body = fill(body_template)
  end
  return wrk.format(method, fill(path_template), nil, body)
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"connect_errors":%d,"read_errors":%d,' ..
    '"write_errors":%d,"status_errors":%d,"timeouts":%d,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, summary.bytes, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end
