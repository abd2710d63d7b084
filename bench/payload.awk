# bench/payload.awk — print `lines` JSON-like event records of exactly `size` bytes each, one a line,
# for ProducerPerformance --payload-file (it sends a random line per record). Deterministic (seed 42).
# The fixed keys and a small vocabulary make them compress about as well as real event logs do
# (zstd about 3-4x per batch, lz4 about 2x), unlike --record-size's random letters, which lz4
# cannot compress at all.
#   awk -v lines=10000 -v size=1024 -f bench/payload.awk > payload.txt
BEGIN {
  srand(42)
  split("page_view click add_to_cart checkout search login logout scroll share rate", ev, " ")
  split("home products cart account search orders help blog deals settings", pg, " ")
  split("the a quick brown fox jumps over lazy dog lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua", w, " ")
  split("Mozilla/5.0 (X11; Linux x86_64)|Mozilla/5.0 (Windows NT 10.0; Win64; x64)|Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)|Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)", ua, "|")
  for (i = 0; i < lines; i++) {
    s = sprintf("{\"id\":%d,\"ts\":\"2026-%02d-%02dT%02d:%02d:%02d.%03dZ\",\"user\":\"user-%06d\",\"session\":\"%08x-%04x\",\"event\":\"%s\",\"path\":\"/%s/%d\",\"ua\":\"%s\",\"price\":%d.%02d,\"note\":\"",
      1000000 + i, 1 + int(rand()*12), 1 + int(rand()*28), int(rand()*24), int(rand()*60), int(rand()*60), int(rand()*1000),
      int(rand()*1000000), int(rand()*4294967295), int(rand()*65535), ev[1 + int(rand()*10)], pg[1 + int(rand()*10)], int(rand()*100000),
      ua[1 + int(rand()*4)], int(rand()*1000), int(rand()*100))
    while (length(s) < size - 2) s = s w[1 + int(rand()*26)] " "
    s = substr(s, 1, size - 2) "\"}"
    print s
  }
}
