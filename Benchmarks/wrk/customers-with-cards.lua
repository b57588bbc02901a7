-- Admin clients, one per wrk connection (one connection a thread), each creating a customer
-- (POST /api/v1/customers) and then giving it a card (POST /api/v1/customers/{id}/cards), over
-- and over: "16 clients creating customers with cards". Every answer should be 201; wrk counts
-- any other as non-2xx.
local token = os.getenv("FOOTFALL_ADMIN_TOKEN") or "bench"
local next_thread = 0

function setup(thread)
  thread:set("client", next_thread)
  next_thread = next_thread + 1
end

function init(args)
  made = 0
  customer = nil
  awaiting_customer = false
  headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  run = tostring(os.time())
end

function request()
  if customer then
    local path = "/api/v1/customers/" .. customer .. "/cards"
    customer = nil
    awaiting_customer = false
    -- A 7-byte UID whose last three bytes are the client and its count: no two cards share
    -- even the short readings a card is also matched by (the last 3 or 4 bytes, and the last 4
    -- reversed, which would end in C3 only if the count's last byte were C3: it stays below 80).
    return wrk.format("POST", path, headers,
      string.format('{"number":"04A1B2C3%02X%02X%02X"}', client, math.floor(made / 128) % 256, made % 128))
  end
  made = made + 1
  awaiting_customer = true
  local who = run .. "-" .. client .. "-" .. made
  return wrk.format("POST", "/api/v1/customers", headers, '{"name":"Bench ' .. who .. '","email":"' .. who .. '@bench.invalid"}')
end

function response(status, headers, body)
  if awaiting_customer and status == 201 then
    customer = body:match('"id"%s*:%s*"([%x%-]+)"')
  end
end
