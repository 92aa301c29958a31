//! `without-keyring PROGRAM [ARGS…]` runs PROGRAM as Docker's default seccomp profile would:
//! the kernel keyring system calls (`add_key`, `keyctl`, `request_key`) fail with EPERM. The
//! token storage tests use it for "a container with no usable OS key store".
#![allow(unsafe_code, clippy::print_stderr, clippy::exit)]

#[cfg(target_os = "linux")]
fn main() {
    use std::os::unix::process::CommandExt;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((program, rest)) = args.split_first() else {
        eprintln!("usage: without-keyring PROGRAM [ARGS…]");
        std::process::exit(2);
    };
    if let Err(err) = deny_keyring_calls() {
        eprintln!("without-keyring: cannot install the seccomp filter: {err}");
        std::process::exit(1);
    }
    let err = std::process::Command::new(program).args(rest).exec();
    eprintln!("without-keyring: {program}: {err}");
    std::process::exit(127);
}

/// A classic-BPF seccomp filter: the three keyring calls return EPERM, all else is allowed.
#[cfg(target_os = "linux")]
fn deny_keyring_calls() -> std::io::Result<()> {
    const LOAD_SYSCALL_NR: u16 = 0x20; // BPF_LD | BPF_W | BPF_ABS, offset 0: seccomp_data.nr
    const JUMP_IF_EQUAL: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
    const RETURN: u16 = 0x06; // BPF_RET | BPF_K
    const ALLOW: u32 = 0x7fff_0000; // SECCOMP_RET_ALLOW
    const EPERM: u32 = 0x0005_0000 | libc::EPERM as u32; // SECCOMP_RET_ERRNO | EPERM
    let op = |code, jt, jf, k| libc::sock_filter { code, jt, jf, k };
    let filter = [
        op(LOAD_SYSCALL_NR, 0, 0, 0),
        op(JUMP_IF_EQUAL, 3, 0, libc::SYS_keyctl as u32),
        op(JUMP_IF_EQUAL, 2, 0, libc::SYS_add_key as u32),
        op(JUMP_IF_EQUAL, 1, 0, libc::SYS_request_key as u32),
        op(RETURN, 0, 0, ALLOW),
        op(RETURN, 0, 0, EPERM),
    ];
    let program = libc::sock_fprog {
        len: filter.len() as u16,
        filter: filter.as_ptr().cast_mut(),
    };
    // SAFETY: prctl with these options reads only `program`, which outlives the calls.
    let status = unsafe {
        if libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 {
            -1
        } else {
            libc::prctl(
                libc::PR_SET_SECCOMP,
                libc::SECCOMP_MODE_FILTER,
                &program as *const libc::sock_fprog,
            )
        }
    };
    match status {
        0 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    }
}

#[cfg(not(target_os = "linux"))]
fn main() {
    eprintln!("without-keyring: Linux only");
    std::process::exit(2);
}
