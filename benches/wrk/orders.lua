-- wrk script: additional-work orders for the governments listed in NIS_CODES, signed in with
-- TOKEN, against PROGRAMME. Used by benches/wrk/run.sh.
local codes = {}
for code in string.gmatch(os.getenv("NIS_CODES") or "", "%d+") do codes[#codes + 1] = code end
local token = os.getenv("TOKEN")
local programme = os.getenv("PROGRAMME") or "1"
local i = 0

request = function()
  i = i + 1
  local nis = codes[(i % #codes) + 1]
  local body = '{"programme_id":' .. programme .. ',"government_nis":"' .. nis ..
    '","kind":"additional","scope":"bench","estimated_cost_cents":400000}'
  return wrk.format("POST", "/api/v1/orders", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. token,
  }, body)
end

local statuses = {}
response = function(status)
  statuses[status] = (statuses[status] or 0) + 1
end

done = function(summary, latency)
  io.write(string.format("orders/s %.0f  p50 %.2f ms  p99 %.2f ms  max %.2f ms  non-2xx %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, summary.errors.status))
end
