#include "push/static_site.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "push/web/web_files.hpp"

namespace levelcast {
namespace {

namespace fs = std::filesystem;

// 784111777 is the example date of RFC 9110.
constexpr int64_t kFileTime = 784111777;
constexpr const char* kFileDate = "Sun, 06 Nov 1994 08:49:37 GMT";

// One request through StaticSite; the request's views point into `head_`.
struct Exchange {
  explicit Exchange(const StaticSite& site, std::string method, std::string target,
                    std::string extra_headers = "")
      : head_(method + " " + target + " HTTP/1.1\r\nHost: t\r\n" + extra_headers + "\r\n") {
    EXPECT_EQ(parse_request_head(head_, request_), RequestError::none) << head_;
    site.serve(request_, decision);
  }
  std::string head_;
  HttpRequest request_;
  RouteDecision decision;
};

// The body a response carries: its own bytes, or the shared buffer of a file it references.
std::string body_of(const RouteDecision& d) {
  if (!d.shared_body) return d.body;
  return {reinterpret_cast<const char*>(d.shared_body->data()), d.shared_body->size()};
}

RouteDecision get(const StaticSite& site, const std::string& target,
                  const std::string& extra_headers = "") {
  return Exchange(site, "GET", target, extra_headers).decision;
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  const timespec times[2] = {{kFileTime, 0}, {kFileTime, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
}

// <tmp>/site is the served folder; <tmp>/outside holds what must never be served.
class StaticDirectory : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "levelcast-site-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    base_ = pattern;
    site_dir_ = base_ / "site";
    fs::create_directories(site_dir_ / "sub");
    fs::create_directories(base_ / "outside");
    write_file(site_dir_ / "index.html", "<h1>home</h1>");
    write_file(site_dir_ / "app.js", "let a = 1;");
    write_file(site_dir_ / "style.CSS", "p{}");
    write_file(site_dir_ / "data", "raw");
    write_file(site_dir_ / "sub" / "index.html", "<h1>sub</h1>");
    write_file(site_dir_ / ".env", "SECRET=1");
    write_file(base_ / "outside" / "secret.txt", "secret");
    site_ = std::make_unique<StaticSite>(site_dir_.string());
  }
  void TearDown() override { fs::remove_all(base_); }

  fs::path base_;
  fs::path site_dir_;
  std::unique_ptr<StaticSite> site_;
};

TEST_F(StaticDirectory, ServesFilesWithTheirTypeAndTime) {
  const RouteDecision d = get(*site_, "/app.js");
  EXPECT_EQ(d.action, RouteDecision::Action::respond);
  EXPECT_EQ(d.status, 200);
  EXPECT_EQ(body_of(d), "let a = 1;");
  EXPECT_EQ(d.content_type, "text/javascript; charset=utf-8");
  EXPECT_NE(d.extra_headers.find(std::string("Last-Modified: ") + kFileDate + "\r\n"),
            std::string::npos);
  EXPECT_EQ(get(*site_, "/style.CSS").content_type, "text/css; charset=utf-8");
  EXPECT_EQ(get(*site_, "/data").content_type, "application/octet-stream");
  EXPECT_EQ(body_of(get(*site_, "/app.js?v=2")), "let a = 1;");
}

TEST_F(StaticDirectory, RootAndFolderPathsServeIndexHtml) {
  RouteDecision d = get(*site_, "/");
  EXPECT_EQ(d.status, 200);
  EXPECT_EQ(body_of(d), "<h1>home</h1>");
  EXPECT_EQ(d.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(body_of(get(*site_, "/sub/")), "<h1>sub</h1>");
  EXPECT_EQ(get(*site_, "/sub").status, 404);  // a folder is not a file
}

TEST_F(StaticDirectory, PercentEscapesAreDecoded) {
  write_file(site_dir_ / "a b.txt", "space");
  EXPECT_EQ(body_of(get(*site_, "/a%20b.txt")), "space");
  EXPECT_EQ(body_of(get(*site_, "/%61pp.js")), "let a = 1;");
  EXPECT_EQ(get(*site_, "/bad%2").status, 404);
  EXPECT_EQ(get(*site_, "/bad%zz").status, 404);
  EXPECT_EQ(get(*site_, "/index.html%00.js").status, 404);
}

TEST_F(StaticDirectory, DotDotNeverLeavesTheFolder) {
  for (const char* target : {"/../outside/secret.txt", "/sub/../../outside/secret.txt",
                             "/%2e%2e/outside/secret.txt", "/%2E%2E%2foutside%2fsecret.txt",
                             "/sub/../index.html", "/./index.html", "//etc/passwd",
                             "/.env"}) {
    const RouteDecision d = get(*site_, target);
    EXPECT_EQ(d.status, 404) << target;
    EXPECT_EQ(d.body.find("secret"), std::string::npos) << target;
  }
}

TEST_F(StaticDirectory, SymlinksOutOfTheFolderAre404) {
  fs::create_symlink(base_ / "outside" / "secret.txt", site_dir_ / "absolute.txt");
  fs::create_symlink("../outside/secret.txt", site_dir_ / "relative.txt");
  fs::create_symlink(base_ / "outside", site_dir_ / "folder");
  fs::create_symlink("/etc/passwd", site_dir_ / "passwd");
  for (const char* target : {"/absolute.txt", "/relative.txt", "/folder/secret.txt", "/passwd"}) {
    const RouteDecision d = get(*site_, target);
    EXPECT_EQ(d.status, 404) << target;
    EXPECT_TRUE(d.body.find("secret") == std::string::npos && d.body.find("root:") == std::string::npos)
        << target;
  }
}

TEST_F(StaticDirectory, SymlinksWithinTheFolderAreFollowed) {
  fs::create_symlink("index.html", site_dir_ / "home.html");
  fs::create_symlink("sub", site_dir_ / "alias");
  EXPECT_EQ(body_of(get(*site_, "/home.html")), "<h1>home</h1>");
  EXPECT_EQ(body_of(get(*site_, "/alias/index.html")), "<h1>sub</h1>");
}

TEST_F(StaticDirectory, AFifoIsRefusedWithoutBlocking) {
  ASSERT_EQ(::mkfifo((site_dir_ / "pipe").c_str(), 0600), 0);
  EXPECT_EQ(get(*site_, "/pipe").status, 404);
}

TEST_F(StaticDirectory, IfModifiedSinceGives304) {
  const RouteDecision same = get(*site_, "/app.js", std::string("If-Modified-Since: ") + kFileDate + "\r\n");
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());
  EXPECT_NE(same.extra_headers.find("Last-Modified: "), std::string::npos);
  EXPECT_EQ(get(*site_, "/app.js", "If-Modified-Since: Mon, 07 Nov 1994 00:00:00 GMT\r\n").status, 304);
  EXPECT_EQ(get(*site_, "/app.js", "If-Modified-Since: Sun, 06 Nov 1994 08:49:36 GMT\r\n").status, 200);
  EXPECT_EQ(get(*site_, "/app.js", "If-Modified-Since: yesterday\r\n").status, 200);
  EXPECT_EQ(get(*site_, "/app.js", "If-Modified-Since: Sun, 06 Xyz 1994 08:49:37 GMT\r\n").status, 200);
}

TEST_F(StaticDirectory, OtherMethodsAre405OnFilesAnd404Elsewhere) {
  for (const char* method : {"POST", "PUT", "DELETE"}) {
    const RouteDecision d = Exchange(*site_, method, "/app.js").decision;
    EXPECT_EQ(d.status, 405) << method;
    EXPECT_EQ(d.extra_headers, "Allow: GET, HEAD\r\n") << method;
    EXPECT_EQ(Exchange(*site_, method, "/missing.js").decision.status, 404) << method;
  }
}

TEST_F(StaticDirectory, HeadIsAGetWithoutTheBody) {
  const RouteDecision get_d = get(*site_, "/app.js");
  const RouteDecision head_d = Exchange(*site_, "HEAD", "/app.js").decision;
  EXPECT_EQ(head_d.status, 200);
  EXPECT_TRUE(head_d.head_only);
  EXPECT_FALSE(get_d.head_only);
  EXPECT_EQ(head_d.content_length, body_of(get_d).size());  // the worker sends its length only
  EXPECT_FALSE(head_d.shared_body);
  EXPECT_EQ(Exchange(*site_, "HEAD", "/missing.js").decision.status, 404);
}

// Every response of a file references one buffer: no copy per request (issue 11.5).
TEST_F(StaticDirectory, RequestsOfAFileShareOneBuffer) {
  const RouteDecision first = get(*site_, "/app.js");
  const RouteDecision second = get(*site_, "/app.js");
  ASSERT_TRUE(first.shared_body && second.shared_body);
  EXPECT_EQ(first.shared_body.get(), second.shared_body.get());
}

TEST_F(StaticDirectory, AChangedFileIsReadAgain) {
  const RouteDecision before = get(*site_, "/app.js");
  write_file(site_dir_ / "app.js", "let b = 22;");
  const RouteDecision after = get(*site_, "/app.js");
  EXPECT_EQ(body_of(after), "let b = 22;");
  EXPECT_EQ(body_of(before), "let a = 1;");  // a response in flight keeps what it had
}

TEST_F(StaticDirectory, AMissingFolderServesNothing) {
  const StaticSite gone((base_ / "no-such-folder").string());
  EXPECT_EQ(get(gone, "/").status, 404);
  EXPECT_EQ(get(gone, "/index.html").status, 404);
}

TEST_F(StaticDirectory, ServesFromManyThreadsAtOnce) {
  std::vector<std::thread> threads;
  std::vector<int> wrong(4, 0);
  for (size_t t = 0; t < wrong.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (get(*site_, i % 2 ? "/app.js" : "/").status != 200) ++wrong[t];
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(std::count(wrong.begin(), wrong.end(), 0), 4);
}

TEST(EmbeddedSite, ServesEveryEmbeddedFileWithItsType) {
  const StaticSite site("");
  const auto files = embedded_web_files();
  ASSERT_FALSE(files.empty());
  for (const WebFile& file : files) {
    const RouteDecision d = get(site, std::string(file.path));
    EXPECT_EQ(d.status, 200) << file.path;
    EXPECT_EQ(body_of(d), file.bytes) << file.path;
    EXPECT_EQ(d.content_type, web_content_type(file.path)) << file.path;
  }
  EXPECT_TRUE(std::is_sorted(files.begin(), files.end(),
                             [](const WebFile& a, const WebFile& b) { return a.path < b.path; }));
}

TEST(EmbeddedSite, RootIsThePage) {
  const StaticSite site("");
  const RouteDecision d = get(site, "/");
  EXPECT_EQ(d.status, 200);
  EXPECT_EQ(d.content_type, "text/html; charset=utf-8");
  EXPECT_NE(d.body.find("levelcast.js"), std::string::npos);
  EXPECT_EQ(get(site, "/levelcast.js").content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(get(site, "/missing.html").status, 404);
  EXPECT_EQ(get(site, "/../CMakeLists.txt").status, 404);
  EXPECT_EQ(Exchange(site, "POST", "/").decision.status, 405);
}

TEST(EmbeddedSite, LastModifiedRoundTripsTo304) {
  const StaticSite site("");
  const RouteDecision first = get(site, "/index.html");
  const size_t at = first.extra_headers.find("Last-Modified: ");
  ASSERT_NE(at, std::string::npos);
  const size_t end = first.extra_headers.find("\r\n", at);
  const std::string date = first.extra_headers.substr(at + 15, end - at - 15);
  EXPECT_EQ(get(site, "/index.html", "If-Modified-Since: " + date + "\r\n").status, 304);
}

TEST(WebContentType, ByExtension) {
  EXPECT_EQ(web_content_type("/a/b.html"), "text/html; charset=utf-8");
  EXPECT_EQ(web_content_type("/x.PNG"), "image/png");
  EXPECT_EQ(web_content_type("/x.svg"), "image/svg+xml");
  EXPECT_EQ(web_content_type("/dir.d/file"), "application/octet-stream");
  EXPECT_EQ(web_content_type("/noext"), "application/octet-stream");
}

}  // namespace
}  // namespace levelcast
