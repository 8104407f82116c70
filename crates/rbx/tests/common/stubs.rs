//! Host commands stubbed on `PATH` for the library runbooks' tests: `docker`, `docker-compose`,
//! `journalctl`, `iptables`, `nslookup` and `nc` exist only on a production host, so each is a
//! small script that appends its name and arguments (one line) to a log, then prints what the
//! test told it to for those arguments and exits with the code it was given (nothing and 0
//! otherwise). The test reads the log to see which commands ran, in which order.

use std::path::{Path, PathBuf};

use super::{Outcome, Rbx, tempdir};

/// The commands stubbed.
pub const STUBBED: [&str; 6] = ["docker", "docker-compose", "journalctl", "iptables", "nslookup", "nc"];

/// Records its call, then answers from the first rule of `answers/NAME/` whose `.match` text
/// occurs in ` ARGS ` (rules are numbered files, so the glob sorts them in the order given).
const SCRIPT: &str = r#"#!/bin/sh
name=$(basename "$0")
printf '%s\n' "$name $*" >> "$RBX_STUB_LOG"
for rule in "$(dirname "$0")/answers/$name"/*.match; do
  [ -f "$rule" ] || continue
  case " $* " in
    *"$(cat "$rule")"*)
      cat "${rule%.match}.stdout"
      exit "$(cat "${rule%.match}.code")" ;;
  esac
done
exit 0
"#;

/// The stubbed commands, their log, and a scratch directory the runs start in.
pub struct Stubs {
    bin: tempfile::TempDir,
    scratch: tempfile::TempDir,
    rules: std::cell::Cell<usize>,
}

impl Stubs {
    /// Every command of [`STUBBED`], printing nothing and exiting 0.
    pub fn new() -> Stubs {
        use std::os::unix::fs::PermissionsExt;
        let bin = tempdir();
        for name in STUBBED {
            let path = bin.path().join(name);
            write(&path, SCRIPT);
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                .unwrap_or_else(|e| panic!("cannot make {} executable: {e}", path.display()));
        }
        Stubs { bin, scratch: tempdir(), rules: std::cell::Cell::new(0) }
    }

    /// From now on, `command` called with arguments containing `arguments` (matched within
    /// ` ARGS `, so `" ps "` is a whole word) prints `stdout` and exits with `exit_code`. The
    /// first rule given that matches wins.
    pub fn answer(&self, command: &str, arguments: &str, stdout: &str, exit_code: i32) -> &Stubs {
        assert!(STUBBED.contains(&command), "`{command}` is not stubbed");
        let dir = self.bin.path().join("answers").join(command);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        let rule = dir.join(format!("{:04}", self.rules.get()));
        self.rules.set(self.rules.get() + 1);
        write(&rule.with_extension("match"), arguments);
        write(&rule.with_extension("stdout"), stdout);
        write(&rule.with_extension("code"), &exit_code.to_string());
        self
    }

    /// From now on `nc` really connects (bash's `/dev/tcp` to its last two arguments, host
    /// and port) after recording its call, so a probe of a closed port fails as `nc -z` would.
    pub fn connecting_nc(&self) -> &Stubs {
        let script =
            "#!/bin/bash\nprintf '%s\\n' \"nc $*\" >> \"$RBX_STUB_LOG\"\nexec 3<>\"/dev/tcp/${@: -2:1}/${@: -1}\"\n";
        write(&self.bin.path().join("nc"), script);
        self
    }

    /// `rbx` with the stubs first on `PATH` and their log, for commands other than `run`
    /// (`rbx resume`).
    pub fn on_path(&self, rbx: Rbx) -> Rbx {
        let path = format!("{}:{}", self.bin.path().display(), std::env::var("PATH").unwrap_or_default());
        rbx.env("PATH", path).env("RBX_STUB_LOG", self.log())
    }

    /// The directory the runs start in (and a place for files a runbook reads).
    pub fn scratch(&self) -> &Path {
        self.scratch.path()
    }

    /// `rbx run FILE --format json` with the stubs first on `PATH`, from [`Stubs::scratch`].
    pub fn rbx(&self, file: &Path) -> Rbx {
        self.on_path(Rbx::new().arg("run").arg(file).args(["--format", "json"])).cwd(self.scratch())
    }

    /// [`Stubs::rbx`] with `args`, run to the end.
    pub fn run(&self, file: &Path, args: &[&str]) -> Outcome {
        self.rbx(file).args(args).output()
    }

    /// The commands the stubs received, in order (`docker-compose restart backend`).
    pub fn commands(&self) -> Vec<String> {
        std::fs::read_to_string(self.log()).unwrap_or_default().lines().map(str::to_owned).collect()
    }

    fn log(&self) -> PathBuf {
        self.bin.path().join("commands.log")
    }
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}
