// grio export against a running grio serve, and clients dialling the export
// over TLS on 127.0.0.1 with the secret it printed.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "tests/net/process.h"
#include "tests/wsys/grio_serve.h"

using namespace grio::test;

namespace {

// grio serve, with grio run against it (env first) and export added.
struct ExportedServe : GrioServe {
  using GrioServe::GrioServe;
  Ran run_grio(const std::string& args, const std::string& env = "") {
    return run(env + " wsys=" + addr + " " + grio(args));
  }
  // grio export ARGS: the dial string and the secret.
  std::pair<std::string, std::string> add(const std::string& args) {
    auto r = run_grio("export --listen tcp!127.0.0.1!0 " + args);
    INFO(r.err);
    REQUIRE(r.status == 0);
    auto nl = r.out.find('\n');
    REQUIRE(r.out.rfind("dial=", 0) == 0);
    REQUIRE(r.out.substr(nl + 1, 7) == "secret=");
    return {r.out.substr(5, nl - 5), r.out.substr(nl + 8, r.out.size() - nl - 9)};
  }
};

}  // namespace

TEST_CASE("grio export prints a dial string and a secret once, and a friend with the secret reaches the workspace",
          "[wsys][exports]") {
  ExportedServe s;
  auto [dial, secret] = s.add("--rights view --name fred");
  CHECK(dial.ends_with("!fred"));
  CHECK(secret.size() == 32);
  // The friend: the secret in the environment, never on the command line.
  auto ls = s.run_grio("9p -a " + dial + " ls /", "GRIO_SECRET=" + secret);
  INFO(ls.err);
  CHECK(ls.status == 0);
  CHECK(ls.out.find("wsys") != std::string::npos);
  CHECK(ls.out.find("screen") != std::string::npos);
  CHECK(ls.out.find("wctl") == std::string::npos);     // view writes nothing, and does not take the reader
  CHECK(ls.out.find("snarf") == std::string::npos);    // not granted
  CHECK(ls.out.find("exports") == std::string::npos);  // the owner's alone
  // From a file, which must be the user's alone.
  std::string file = (s.dir.path / "secret").string();
  std::ofstream(file) << secret << "\n";
  ::chmod(file.c_str(), 0644);
  auto loose = s.run_grio("--secret-file " + file + " 9p -a " + dial + " ls /");
  CHECK(loose.status != 0);
  CHECK(loose.err.find("has mode 0644") != std::string::npos);
  ::chmod(file.c_str(), 0600);
  CHECK(s.run_grio("--secret-file " + file + " 9p -a " + dial + " ls /").status == 0);
  // The list shows the export and never its secret.
  auto list = s.run_grio("export --list");
  CHECK(list.status == 0);
  CHECK(list.out.find("fred rights=view for=fred what=workspace dial=" + dial) == 0);
  // view: what is on screen, nothing more; no window can be made.
  auto push = run("GRIO_SECRET=" + secret + " wsys=" + dial + " " + GRIO_BINARY + " window -m true");
  CHECK(push.status != 0);
  CHECK(push.err.find("permission denied") != std::string::npos);
  CHECK(list.out.find(secret) == std::string::npos);
}

TEST_CASE("grio export: a wrong secret reaches nothing, revoke ends the export, and a peer never sees the table",
          "[wsys][exports]") {
  ExportedServe s;
  auto [dial, secret] = s.add("--name fred");
  auto wrong = s.run_grio("9p -a " + dial + " ls /", "GRIO_SECRET=0123456789abcdef0123456789abcdef");
  CHECK(wrong.status != 0);
  CHECK(wrong.err.find("authentication failed") != std::string::npos);
  CHECK(wrong.err.find(secret) == std::string::npos);
  // A peer can neither open nor walk to the name: it is not there for it.
  auto peek = s.run_grio("9p -a " + dial + " read exports", "GRIO_SECRET=" + secret);
  CHECK(peek.status != 0);
  CHECK(peek.err.find("file does not exist") != std::string::npos);
  CHECK(s.run_grio("export --revoke fred").status == 0);
  auto after = s.run_grio("9p -a " + dial + " ls /", "GRIO_SECRET=" + secret);
  CHECK(after.status != 0);
  auto again = s.run_grio("export --revoke fred");
  CHECK(again.status != 0);
  CHECK(again.err.find("no export fred") != std::string::npos);
}

TEST_CASE("plain tcp needs --insecure and beyond loopback is refused without an export", "[wsys][exports]") {
  auto r = run(std::string(GRIO_BINARY) + " serve --listen tcp!0.0.0.0!0");
  CHECK(r.status == 1);
  CHECK(r.err.find("plain tcp has no authentication") != std::string::npos);
  r = run(std::string(GRIO_BINARY) + " serve --insecure --listen tcp!0.0.0.0!0");
  CHECK(r.status == 1);
  CHECK(r.err.find("to be reached from elsewhere, export (grio export)") != std::string::npos);
}

TEST_CASE("a friend with push pops a window here through an export, its program running at the friend's",
          "[wsys][exports]") {
  ExportedServe s;
  auto [dial, secret] = s.add("--rights view,push --name fred");
  std::string g = GRIO_BINARY, flag = (s.dir.path / "seen").string();
  std::string owner = "wsys=" + s.addr + " " + g;
  // The friend's side (grio window -m over the export, the secret in the
  // environment) stays until the owner has read the window's text.
  auto r = run("GRIO_SECRET=" + secret + " wsys=" + dial + " " + g +
               " window -m sh -c \"echo hi fred; for i in \\$(seq 100); do [ -e " + flag +
               " ] && exit 0; sleep 0.1; done; exit 3\" & "
               "for i in $(seq 100); do " + owner + " 9p read wsys/1/text 2>/dev/null | grep -q \"hi fred\" && break; sleep 0.1; done; " +
               owner + " 9p read wsys/1/text; echo; echo label=$(" + owner + " 9p read wsys/1/label); touch " + flag +
               "; wait $!; echo status=$?");
  INFO(r.err);
  INFO(r.out);
  CHECK(r.out.find("hi fred") != std::string::npos);
  CHECK(r.out.find("status=0") != std::string::npos);
  // Unmistakably foreign: the label names the export, whatever it wrote.
  CHECK(r.out.find("label=fred: sh") != std::string::npos);
}

TEST_CASE("grio serve -D traces every message of grio export but never the secret", "[wsys][exports]") {
  GrioServe s(true);  // with -D, its trace in s.log
  auto r = run("wsys='" + s.addr + "' " + s.grio("export --listen 'tcp!127.0.0.1!0' --name fred"));
  REQUIRE(r.status == 0);
  auto secret = r.out.substr(r.out.find("secret=") + 7, 32);
  s.serve.stop();
  auto trace = slurp(s.log);
  CHECK(trace.find("Rread") != std::string::npos);  // the answer was traced …
  CHECK(trace.find("secret=****") != std::string::npos);
  CHECK(trace.find(secret.substr(0, 6)) == std::string::npos);  // … without the secret
}

TEST_CASE("grio export hub/NAME: a friend types into that one shell session and reaches nothing else",
          "[wsys][exports]") {
  ExportedServe s;
  auto missing = s.run_grio("export --listen tcp!127.0.0.1!0 --name fred hub/s1");
  CHECK(missing.status != 0);
  CHECK(missing.err.find("no session s1") != std::string::npos);
  REQUIRE(run("printf \"%%detach\\n\" | " + s.hub("s1")).status == 0);
  REQUIRE(run("printf \"%%detach\\n\" | " + s.hub("other")).status == 0);
  auto [dial, secret] = s.add("--rights view,type --name fred hub/s1");
  std::string env = "GRIO_SECRET=" + secret;
  auto ls = s.run_grio("9p -a " + dial + " ls /", env);
  INFO(ls.err);
  CHECK(ls.out == "hub\n");
  CHECK(s.run_grio("9p -a " + dial + " ls hub", env).out == "s1\n");
  // Typed lines reach the session's shell; the answer comes back.
  std::string friend_hub = env + " wsys=" + dial + " " + s.grio("hub");
  auto r = run("(printf \"echo fr-\\$((5*5))\\n\"; for i in $(seq 100); do grep -q fr-25 out && break; sleep 0.1; "
               "done; printf \"%%detach\\n\") | " + friend_hub + " s1");
  INFO(r.err);
  CHECK(r.out.find("fr-25\n") != std::string::npos);
  // Another session, or a new one, is out of reach.
  auto other = run("printf \"%%detach\\n\" | " + friend_hub + " other");
  CHECK(other.status != 0);
  CHECK(other.err.find("no session other in " + dial + ", and none can be started there") != std::string::npos);
  CHECK(s.run_grio("9p read hub/ctl").out.find("other/") != std::string::npos);
  CHECK(s.run_grio("export --list").out.find("what=hub/s1") != std::string::npos);
}

TEST_CASE("grio hub through a view-only export watches, and says so", "[wsys][exports]") {
  ExportedServe s;
  REQUIRE(run("printf \"%%detach\\n\" | " + s.hub("s1")).status == 0);
  auto [dial, secret] = s.add("--rights view --name fred hub/s1");
  std::string friend_hub = "GRIO_SECRET=" + secret + " wsys=" + dial + " " + s.grio("hub");
  auto r = run("(sleep 0.3; printf \"echo typed-\\$((2*4))\\n\"; sleep 0.3; printf \"%%detach\\n\") | " + friend_hub + " s1");
  INFO(r.err);
  CHECK(r.status == 0);
  CHECK(r.err.find("grio hub: watching s1: this connection may not type there") != std::string::npos);
  CHECK(r.out.find("typed-8") == std::string::npos);  // never reached the shell
  // The session goes on, untouched.
  CHECK(s.run_grio("9p read hub/s1/ctl").out.find("session s1") == 0);
}

TEST_CASE("grio export sub/NAME: a friend reaches that sub-workspace alone, and its end hangs the friend up",
          "[wsys][exports][sub]") {
  ExportedServe s;
  auto missing = s.run_grio("export --listen tcp!127.0.0.1!0 --name fred sub/s1");
  CHECK(missing.status != 0);
  CHECK(missing.err.find("no sub-workspace s1") != std::string::npos);
  REQUIRE(run("printf \"new -pid 0 -r 0 0 300 200\" | wsys=" + s.addr + " " + s.grio("9p write wctl")).status == 0);
  auto made = s.run_grio("window -r 0 0 800 600 --sub s1");
  INFO(made.err);
  REQUIRE(made.status == 0);
  auto [dial, secret] = s.add("--rights view,push --name fred sub/s1");
  std::string env = "GRIO_SECRET=" + secret;
  // The friend pushes a window: it is window 1 of the sub-workspace, and
  // the top level's windows (1 and the host, 2) are not there for it.
  auto push = run("printf \"new -pid 0 -r 10 10 300 200\" | " + env + " " + s.grio("9p -a " + dial + " write wctl"));
  INFO(push.err);
  REQUIRE(push.status == 0);
  CHECK(s.run_grio("9p -a " + dial + " ls wsys", env).out == "1\n");
  CHECK(s.run_grio("9p -a " + s.addr + "!s1 ls wsys").out == "1\n");
  CHECK(s.run_grio("9p ls wsys").out == "1\n2\n");
  auto two = s.run_grio("9p -a " + dial + " read wsys/2/label", env);
  CHECK(two.status != 0);
  auto ls = s.run_grio("9p -a " + dial + " ls /", env);
  INFO(ls.err);
  CHECK(ls.status == 0);
  CHECK(ls.out.find("exports") == std::string::npos);
  CHECK(s.run_grio("export --list").out.find("what=sub/s1") != std::string::npos);
  // Deleting the host ends the sub-workspace; the export reaches nothing.
  REQUIRE(run("printf delete | wsys=" + s.addr + " " + s.grio("9p write wsys/2/wctl")).status == 0);
  auto after = s.run_grio("9p -a " + dial + " ls /", env);
  CHECK(after.status != 0);
}
