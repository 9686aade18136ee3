"""tinysense gateway: the host side of the sensor-node transport.

Modules (each usable alone):
  bthome   BLE advert decoders: AD structures, BTHome v2 (plain and AES-CCM
           encrypted), the compact tinysense manufacturer layout; reference encoders.
  payload  MQTT payloads: the record envelope (node id + compact record) and
           relayed BLE adverts.
  store    SQLite storage (PostgreSQL optional), idempotent on (node, seq).
  broker   starts a private Mosquitto (auth, per-node ACLs) on a free 127.0.0.1 port.
  daemon   the gateway: subscribes, decodes, rejects forged/replayed data, stores.
  fleet    N simulated nodes publishing through the C++ MQTT client.
  status   table / HTML view of nodes, last values, last seen, sequence gaps.
See docs/design/transport.md.
"""
