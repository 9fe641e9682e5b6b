-- Forgives a loss an administrator accepted (RedisUsageStorage.acceptDataLoss), for one user: drops the root's
-- records (k: fields, see RedisKeys) of counters that are gone, so that those counters start again at zero.
-- A counter lost after this runs is detected again, as its record is written anew when it is re-created.
-- KEYS: 1 root
-- ARGV: 1 user key prefix
-- Reply: {number of records dropped}
local prefix, root = ARGV[1], KEYS[1]
if not prefix or prefix == '' then
  return redis.error_reply('ERR usage accept loss: malformed call')
end
local all = redis.call('HGETALL', root)
local gone = {}
for i = 1, #all, 2 do
  -- k:<period>:<type>; a type has no ':' (see QuotaType)
  local p, t = string.match(all[i], '^k:(.+):([^:]+)$')
  if p and redis.call('HEXISTS', prefix .. 'c:' .. p, 'x:' .. t) == 0 then
    gone[#gone + 1] = all[i]
  end
end
hdel_all(root, gone)
return {#gone}
