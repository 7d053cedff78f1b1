// levelcast-microbench: Google Benchmark of the protocol hot paths. Built with the rest, not run
// by CTest (timings belong here, not in tests). Run: build/bench/levelcast-microbench
#include <benchmark/benchmark.h>

#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#include "net/handshake.hpp"
#include "net/http_request.hpp"
#include "net/utf8.hpp"
#include "net/ws_frame.hpp"
#include "push/snapshot_json.hpp"

namespace levelcast {
namespace {

void BM_EncodeSharedFrame(benchmark::State& state) {
  const std::string payload(static_cast<size_t>(state.range(0)), 'x');
  for (auto _ : state) {
    SharedFrame* f = make_shared_frame(Opcode::text, as_bytes(payload), 1);
    benchmark::DoNotOptimize(f->data());
    f->release();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_EncodeSharedFrame)->Arg(150)->Arg(4096)->Arg(65536);

void BM_Unmask(benchmark::State& state) {
  std::vector<uint8_t> data(static_cast<size_t>(state.range(0)), 0x5A);
  const uint8_t mask[4] = {1, 2, 3, 4};
  for (auto _ : state) {
    unmask(data.data(), data.size(), mask);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Unmask)->Arg(16)->Arg(150)->Arg(4096)->Arg(1 << 20);

// As in a read buffer: the payload starts after a 6-byte header (off 16-byte alignment) and
// resumes mid-mask after a partial frame.
void BM_UnmaskOffset(benchmark::State& state) {
  std::vector<uint8_t> data(static_cast<size_t>(state.range(0)) + 6, 0x5A);
  const uint8_t mask[4] = {1, 2, 3, 4};
  for (auto _ : state) {
    unmask(data.data() + 6, data.size() - 6, mask, 3);
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_UnmaskOffset)->Arg(150)->Arg(4096);

// The ceiling for unmasking and validation: moving the same bytes.
void BM_Memcpy(benchmark::State& state) {
  std::vector<uint8_t> src(static_cast<size_t>(state.range(0)), 0x5A), dst(src.size());
  for (auto _ : state) {
    std::memcpy(dst.data(), src.data(), src.size());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Memcpy)->Arg(16)->Arg(150)->Arg(4096)->Arg(1 << 20);

void BM_Utf8Ascii(benchmark::State& state) {
  std::string text(static_cast<size_t>(state.range(0)), 'a');
  for (size_t i = 0; i < text.size(); i += 64) text[i] = '{';
  const auto bytes = as_bytes(text);
  for (auto _ : state) benchmark::DoNotOptimize(is_valid_utf8(bytes));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * state.range(0));
}
BENCHMARK(BM_Utf8Ascii)->Arg(150)->Arg(4096)->Arg(1 << 20);

// ASCII-heavy: JSON records of 84 bytes, each with two accented letters.
void BM_Utf8AsciiHeavy(benchmark::State& state) {
  std::string text;
  while (text.size() < static_cast<size_t>(state.range(0))) {
    text += "{\"topic\":\"synth\",\"seq\":1234,\"channels\":[{\"rms\":-23.1,\"peak\":-17.9}],";
    text += "\"note\":\"d\xC3\xA9j\xC3\xA0\"}";
  }
  const auto bytes = as_bytes(text);
  for (auto _ : state) benchmark::DoNotOptimize(is_valid_utf8(bytes));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_Utf8AsciiHeavy)->Arg(4096)->Arg(1 << 20);

void BM_Utf8Mixed(benchmark::State& state) {
  std::string text;
  while (text.size() < static_cast<size_t>(state.range(0))) text += "κόσμε \xF0\x9F\x8E\xB5 level ";
  const auto bytes = as_bytes(text);
  for (auto _ : state) benchmark::DoNotOptimize(is_valid_utf8(bytes));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(text.size()));
}
BENCHMARK(BM_Utf8Mixed)->Arg(4096);

void BM_Handshake(benchmark::State& state) {
  const std::string head =
      "GET /levels HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
      "User-Agent: levelcast-microbench\r\n\r\n";
  std::string out;
  for (auto _ : state) {
    HttpRequest request;
    const HeadScan scan = scan_request_head(head, 8192);
    parse_request_head(std::string_view(head).substr(0, scan.length), request);
    benchmark::DoNotOptimize(check_websocket_upgrade(request).status);
    out.clear();
    append_upgrade_response(out, *request.header("Sec-WebSocket-Key"));
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_Handshake);

void BM_SnapshotJson(benchmark::State& state) {
  Snapshot s;
  s.topic = "synth";
  s.seq = 123456;
  s.ts_micros = 1763712000123456;
  s.rate = 50;
  s.channels.assign(static_cast<size_t>(state.range(0)), ChannelLevel{-23.14, -17.86});
  std::string out;
  for (auto _ : state) {
    out.clear();
    append_snapshot_json(out, s);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_SnapshotJson)->Arg(2)->Arg(8);

}  // namespace
}  // namespace levelcast

BENCHMARK_MAIN();
