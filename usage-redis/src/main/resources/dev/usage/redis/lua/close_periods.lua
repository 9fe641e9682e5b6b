-- Stores closed periods of one user, each unless already stored (HSETNX): of concurrent callers closing
-- the same period, exactly one stores it. See RedisPeriodHistoryStore.
-- KEYS: 1 history hash (U p)
-- ARGV: 1 the user's id, then pairs of field ('<type>|<period start>') and row (a JSON object of that user, see
--       RedisJson.period, whose type and start make the field)
-- Replies: per pair, 1 stored by this call, 0 already there
-- A row is keyed by its kind too: stored under the field when the field is free or holds the same kind (as
-- versions that keyed rows without the kind did, so both store each row once), else under '<field>|<kind>'.
if #KEYS ~= 1 or #ARGV < 3 or (#ARGV - 1) % 2 ~= 0 then
  return redis.error_reply('ERR usage close_periods: malformed call')
end
-- an instant as Java's Instant.toString writes it
local INSTANT = '^[+-]?%d%d%d%d+%-%d%d%-%d%dT%d%d:%d%d[%d:.]*Z$'
local PERIODS = {DAY = true, WEEK = true, MONTH = true}
local function instant(v)
  return type(v) == 'string' and string.match(v, INSTANT) ~= nil
end
local function integer(v)
  return type(v) == 'number' and v == math.floor(v)
end
local function amount(v)
  return integer(v) and v >= 0
end
-- every row is checked before the first is stored: a row stored is never replaced (HSETNX), and one that
-- cannot be read would fail every later read of the user's history
for i = 2, #ARGV, 2 do
  local decoded, row = pcall(cjson.decode, ARGV[i + 1])
  local ok = decoded and type(row) == 'table' and row.user == ARGV[1] and type(row.type) == 'string'
      and string.match(row.type, '^[a-z][a-z0-9_.%-]*$') and type(row.period) == 'string' and PERIODS[row.period]
      and instant(row.start) and instant(row['end']) and instant(row.closedAt) and integer(row.limit)
      and integer(row.used) and amount(row.rolledOver) and amount(row.carriedIn)
      and type(row.rolledOverParts) == 'table' and ARGV[i] == row.type .. '|' .. row.start
  if ok then
    for _, part in ipairs(row.rolledOverParts) do
      ok = ok and amount(part)
    end
  end
  if not ok then
    return redis.error_reply('ERR usage close_periods: row ' .. (i / 2) .. ' is malformed')
  end
end
local t = redis.call('TYPE', KEYS[1]).ok
if t ~= 'hash' and t ~= 'none' then
  return redis.error_reply('ERR usage close_periods: ' .. KEYS[1] .. ' holds a ' .. t)
end

local out = {}
for i = 2, #ARGV, 2 do
  local first = redis.call('HGET', KEYS[1], ARGV[i])
  if not first then
    out[#out + 1] = redis.call('HSETNX', KEYS[1], ARGV[i], ARGV[i + 1])
  else
    local decoded, stored = pcall(cjson.decode, first)
    if decoded and type(stored) == 'table' and stored.period == cjson.decode(ARGV[i + 1]).period then
      out[#out + 1] = 0
    else
      out[#out + 1] = redis.call('HSETNX', KEYS[1], ARGV[i] .. '|' .. cjson.decode(ARGV[i + 1]).period, ARGV[i + 1])
    end
  end
end
return out
