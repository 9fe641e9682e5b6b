-- Stores closed periods of one user, each unless already stored (HSETNX): of concurrent callers closing
-- the same period, exactly one stores it. See RedisPeriodHistoryStore.
-- KEYS: 1 history hash (U p)
-- ARGV: pairs of field ('<type>|<period start>') and row (a JSON object whose type and start make the field)
-- Replies: per pair, 1 stored by this call, 0 already there
if #KEYS ~= 1 or #ARGV < 2 or #ARGV % 2 ~= 0 then
  return redis.error_reply('ERR usage close_periods: malformed call')
end
for i = 1, #ARGV, 2 do
  local decoded, row = pcall(cjson.decode, ARGV[i + 1])
  if not decoded or type(row) ~= 'table' or type(row.type) ~= 'string' or type(row.start) ~= 'string'
      or not string.match(row.type, '^[a-z][a-z0-9_.%-]*$') or ARGV[i] ~= row.type .. '|' .. row.start then
    return redis.error_reply('ERR usage close_periods: row ' .. ((i + 1) / 2) .. ' is malformed')
  end
end
local t = redis.call('TYPE', KEYS[1]).ok
if t ~= 'hash' and t ~= 'none' then
  return redis.error_reply('ERR usage close_periods: ' .. KEYS[1] .. ' holds a ' .. t)
end

local out = {}
for i = 1, #ARGV, 2 do
  out[#out + 1] = redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
end
return out
