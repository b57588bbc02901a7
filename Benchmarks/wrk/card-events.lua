-- 32 readers posting distinct card events: wrk thread N is reader N, with its own device key,
-- cycling through that reader's cards (04 RR CCCCCC 80, hex), each event with a new eventId.
local readers = dofile(os.getenv("FOOTFALL_READERS_LUA"))
local cards = tonumber(os.getenv("FOOTFALL_CARDS_PER_READER") or "4000")
local next_thread = 0

function setup(thread)
  thread:set("reader", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  local r = readers[reader + 1]
  path = "/api/v1/devices/" .. r.id .. "/events"
  headers = { ["Authorization"] = "Bearer " .. r.key, ["Content-Type"] = "application/json" }
  counter = 0
  run = tostring(os.time())
end

function request()
  counter = counter + 1
  local card = string.format("04%02X%06X80", reader, counter % cards)
  local body = '{"eventId":"' .. run .. "-" .. counter .. '","type":"card","value":"' .. card .. '"}'
  return wrk.format("POST", path, headers, body)
end
