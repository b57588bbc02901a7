-- 32 readers posting distinct card events over 32 connections. wrk thread T takes readers
-- T*k .. T*k+k-1 (k = 32 / threads) in turn, each with its own device key, cycling through
-- that reader's cards (04 RR CCCCCC 80, hex), each event with a new eventId.
local readers = dofile(os.getenv("FOOTFALL_READERS_LUA"))
local cards = tonumber(os.getenv("FOOTFALL_CARDS_PER_READER") or "4000")
local threads = tonumber(os.getenv("FOOTFALL_WRK_THREADS") or "32")
local next_thread = 0

function setup(thread)
  thread:set("first_reader", next_thread * (#readers / threads))
  next_thread = next_thread + 1
end

function init(args)
  per_thread = #readers / threads
  paths, headers, counters = {}, {}, {}
  for i = 0, per_thread - 1 do
    local r = readers[first_reader + i + 1]
    paths[i] = "/api/v1/devices/" .. r.id .. "/events"
    headers[i] = { ["Authorization"] = "Bearer " .. r.key, ["Content-Type"] = "application/json" }
    counters[i] = 0
  end
  turn = 0
  run = tostring(os.time()) .. "-" .. first_reader
end

function request()
  local i = turn % per_thread
  turn = turn + 1
  counters[i] = counters[i] + 1
  local reader = first_reader + i
  local card = string.format("04%02X%06X80", reader, counters[i] % cards)
  local body = '{"eventId":"' .. run .. "-" .. i .. "-" .. counters[i] .. '","type":"card","value":"' .. card .. '"}'
  return wrk.format("POST", paths[i], headers[i], body)
end
