-- Stores a user's settings if their version is still the one the caller read and the entry's request id (if
-- any) is not in the user's trail yet, and appends one entry to the user's audit trail in the same step: both
-- change, or neither. See RedisUserQuotaStore.
-- KEYS: 1 settings hash (U q), 2 audit list (U a), 3 request ids of the trail (U ar: request id -> list index)
-- ARGV: 1 expected version (decimal; a hash without 'v' is at 0), 2 tier, 3 overrides (SpiCodec), 4 zone id,
--       5 billing anchor day (1-31), 6 audit entry (a JSON object, see RedisUserQuotaStore), 7 the entry's request
--       id ('' when it has none; the same as the entry's rid), 8 scheduled tier change (SpiCodec, '' for none),
--       9 usage resets (SpiCodec, '' for none), 10 earlier settings (SpiCodec, '' for none)
-- Replies: {'OK', new version}; {'S', stored version}: the version did not match, nothing was written;
--          {'R', stored version}: the request id is in the trail already, nothing was written
if #KEYS ~= 3 or #ARGV ~= 10 then
  return redis.error_reply('ERR usage save_settings: malformed call')
end
local expected = ARGV[1]
-- canonical decimals only: the stored version is compared as text, here and by consume.lua
if not string.match(expected, '^%d+$') or #expected > 15 or (#expected > 1 and string.sub(expected, 1, 1) == '0') then
  return redis.error_reply('ERR usage save_settings: version is not a canonical decimal')
end
if ARGV[2] == '' or ARGV[4] == '' then
  return redis.error_reply('ERR usage save_settings: tier or zone is empty')
end
-- the overrides of the settings or of earlier settings: nil when well formed
local function badOverrides(text)
  if text == '' then
    return nil
  end
  for part in string.gmatch(text .. ';', '([^;]*);') do
    local _, bars = string.gsub(part, '|', '')
    if bars ~= 7 or not string.match(part, '^[a-z][a-z0-9_.%-]*|%d+|') then
      return true
    end
  end
  return nil
end
-- a scheduled tier change, '' for none
local function badScheduled(text)
  return text ~= '' and not string.match(text, '^.+@[+-]?%d%d%d%d+%-%d%d%-%d%dT[%d:.]+Z$')
end
if badOverrides(ARGV[3]) then
  return redis.error_reply('ERR usage save_settings: overrides are malformed')
end
if badScheduled(ARGV[8]) then
  return redis.error_reply('ERR usage save_settings: scheduled tier change is malformed')
end
if ARGV[9] ~= '' then
  for part in string.gmatch(ARGV[9] .. ';', '([^;]*);') do
    local _, bars = string.gsub(part, '|', '')
    if bars ~= 3 or not string.match(part, '^[a-z][a-z0-9_.%-]*|[^|]+|%d+|[^|]+$') then
      return redis.error_reply('ERR usage save_settings: usage resets are malformed')
    end
  end
end
if ARGV[10] ~= '' then
  -- per entry: change instant, tier, scheduled change, overrides, zone, anchor day (tab-separated), one per line
  for part in string.gmatch(ARGV[10] .. '\n', '([^\n]*)\n') do
    local at, tier, sched, overrides, zone, anchor =
      string.match(part, '^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)$')
    if not at or not string.match(at, '^[+-]?%d%d%d%d+%-%d%d%-%d%dT[%d:.]+Z$') or tier == '' or badScheduled(sched)
        or badOverrides(overrides) or zone == '' or not string.match(anchor, '^[1-9]%d?$') or num(anchor) > 31 then
      return redis.error_reply('ERR usage save_settings: earlier settings are malformed')
    end
  end
end
if not string.match(ARGV[5], '^[1-9]%d?$') or num(ARGV[5]) > 31 then
  return redis.error_reply('ERR usage save_settings: anchor day is not within 1..31')
end
local decoded, entry = pcall(cjson.decode, ARGV[6])
if not decoded or type(entry) ~= 'table' then
  return redis.error_reply('ERR usage save_settings: audit entry is not a JSON object')
end
for _, f in ipairs({'at', 'actor', 'user', 'action', 'old', 'new', 'reason'}) do
  if type(entry[f]) ~= 'string' then
    return redis.error_reply('ERR usage save_settings: audit entry has no text ' .. f)
  end
end
for _, f in ipairs({'type', 'rid', 'prev', 'hash'}) do
  if entry[f] ~= nil and type(entry[f]) ~= 'string' then
    return redis.error_reply('ERR usage save_settings: audit entry ' .. f .. ' is not text')
  end
end
-- read back with Instant.parse: an entry whose time is not an instant would make the user's trail unreadable
if not string.match(entry.at, '^[+-]?%d%d%d%d+%-%d%d%-%d%dT%d%d:%d%d[%d:.]*Z$') then
  return redis.error_reply('ERR usage save_settings: audit entry at is not an instant')
end
if (entry.rid or '') ~= ARGV[7] then
  return redis.error_reply('ERR usage save_settings: request id differs from the entry\'s')
end
-- a key of another type would make a write below fail after an earlier one had been applied
local kinds = {'hash', 'list', 'hash'}
for i = 1, 3 do
  local t = redis.call('TYPE', KEYS[i]).ok
  if t ~= kinds[i] and t ~= 'none' then
    return redis.error_reply('ERR usage save_settings: ' .. KEYS[i] .. ' holds a ' .. t)
  end
end

local current = redis.call('HGET', KEYS[1], 'v') or '0'
if current ~= expected then
  return {'S', current}
end
if ARGV[7] ~= '' and redis.call('HEXISTS', KEYS[3], ARGV[7]) == 1 then
  return {'R', current}
end
redis.call('HSET', KEYS[1], 'tier', ARGV[2], 'overrides', ARGV[3], 'zone', ARGV[4], 'anchor', ARGV[5], 'sched',
  ARGV[8], 'resets', ARGV[9], 'earlier', ARGV[10])
local v = redis.call('HINCRBY', KEYS[1], 'v', 1)
local length = redis.call('RPUSH', KEYS[2], ARGV[6])
if ARGV[7] ~= '' then
  redis.call('HSET', KEYS[3], ARGV[7], length - 1)
end
return {'OK', v}
