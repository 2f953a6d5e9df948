//! The command line: `orgdesk serve | migrate | operator create | org create | seed`.
//!
//! Passwords are never arguments (they would stay in the shell's history
//! and in `ps`): at a terminal they are asked for without echo, twice;
//! otherwise the first line of standard input is the password.
use clap::{Args, Parser, Subcommand};
use std::io::IsTerminal;

/// Orgdesk: a self-hosted workspace for organisations.
///
/// Settings come from the environment (DATABASE_URL, PUBLIC_BASE_URL and
/// the rest; see the README). Every command first creates the database if
/// it is missing and applies migrations.
#[derive(Debug, Parser)]
#[command(name = "orgdesk", version, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server and the outbox worker (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Platform operators, who review applications.
    #[command(subcommand)]
    Operator(OperatorCommand),
    /// Organisations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Create a demo organisation with many departments and members, for
    /// trying the contacts screens at size and for benchmarks.
    Seed(SeedArgs),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Seal what is waiting, then check each hash chain (the platform's and
    /// every organisation's, or one) from its first kept row to its head;
    /// report the first broken link and exit with status 1 if any chain is
    /// broken. Prints each chain's head, to note elsewhere.
    Verify(AuditVerifyArgs),
}

#[derive(Debug, Args)]
pub struct AuditVerifyArgs {
    /// Check only this organisation's chain (its id).
    #[arg(long)]
    pub org: Option<uuid::Uuid>,
}

#[derive(Debug, Subcommand)]
pub enum OperatorCommand {
    /// Create a platform operator; the second factor is set up at first
    /// sign-in. The password is asked for, or read from standard input.
    Create(OperatorArgs),
}

#[derive(Debug, Args)]
pub struct OperatorArgs {
    /// The operator's email, used to sign in.
    #[arg(long)]
    pub email: String,
    /// The name shown in the console (default: the email).
    #[arg(long)]
    pub name: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an organisation with its root department and its super
    /// administrator, without an application (for deployments and demos).
    /// The administrator's password is asked for, or read from standard input.
    Create(OrgArgs),
    /// Set how many members (not counting those who left) an organisation
    /// may have: a number, `unlimited`, or `default` (200 until its
    /// application is approved, no cap after).
    Cap(CapArgs),
    /// Add an active member who signs in with a password (asked for, or
    /// read from standard input), without an invitation: for deployments
    /// that bring their people along, and for demos.
    Member(MemberArgs),
}

#[derive(Debug, Args)]
pub struct MemberArgs {
    /// The organisation's id.
    #[arg(long)]
    pub org: uuid::Uuid,
    /// The member's name (1 to 64 characters).
    #[arg(long)]
    pub name: String,
    /// The member's email, which they sign in with.
    #[arg(long)]
    pub email: String,
    /// Their department as a path below the top of the tree (`Sales/East`);
    /// departments that do not exist yet are made. The top when left out.
    #[arg(long)]
    pub department: Option<String>,
    /// Make them a head (负责人) of that department.
    #[arg(long)]
    pub head: bool,
    /// The email of their direct manager, a member already.
    #[arg(long)]
    pub manager: Option<String>,
    /// Their position (职务).
    #[arg(long)]
    pub position: Option<String>,
}

#[derive(Debug, Args)]
pub struct CapArgs {
    /// The organisation's id.
    #[arg(long)]
    pub org: uuid::Uuid,
    /// A number from 1, `unlimited` or `default`.
    #[arg(long)]
    pub members: String,
}

#[derive(Debug, Args)]
pub struct OrgArgs {
    /// The organisation's name (1 to 128 characters).
    #[arg(long)]
    pub name: String,
    /// The super administrator's name (1 to 64 characters).
    #[arg(long)]
    pub admin_name: String,
    /// The super administrator's email (this or --admin-mobile, or both).
    #[arg(long, required_unless_present = "admin_mobile")]
    pub admin_email: Option<String>,
    /// The super administrator's mobile number.
    #[arg(long)]
    pub admin_mobile: Option<String>,
    /// Let administrators sign in without a second factor.
    #[arg(long)]
    pub no_enforce_two_factor: bool,
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Members to create.
    #[arg(long, default_value_t = 100_000)]
    pub members: usize,
    /// Departments to create, in a tree up to 15 levels deep.
    #[arg(long, default_value_t = 10_000)]
    pub departments: usize,
    /// The organisation's name.
    #[arg(long, default_value = "Seed Co")]
    pub name: String,
    /// The super administrator's email; the password is asked for, or read
    /// from standard input.
    #[arg(long, default_value = "admin@seed.example")]
    pub admin_email: String,
    /// Write the people to this file as a contacts import (CSV in the
    /// template's columns) instead of creating anything; the top
    /// department's name follows --name.
    #[arg(long)]
    pub csv: Option<std::path::PathBuf>,
}

/// The password for `whom`: asked twice at a terminal, else the first line
/// of standard input.
pub fn read_password(whom: &str) -> std::io::Result<String> {
    if std::io::stdin().is_terminal() {
        loop {
            let first = rpassword::prompt_password(format!("Password for {whom}: "))?;
            let again = rpassword::prompt_password("The same password again: ")?;
            if first == again {
                return Ok(first);
            }
            eprintln!("The two passwords differ; try again.");
        }
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_commands_are_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_is_the_default_and_flags_are_read() {
        assert!(Cli::try_parse_from(["orgdesk"]).unwrap().command.is_none());
        let cli = Cli::try_parse_from([
            "orgdesk",
            "org",
            "create",
            "--name",
            "示例科技",
            "--admin-name",
            "张三",
            "--admin-mobile",
            "13800138000",
        ])
        .unwrap();
        match cli.command {
            Some(Command::Org(OrgCommand::Create(a))) => {
                assert_eq!(a.name, "示例科技");
                assert_eq!(a.admin_mobile.as_deref(), Some("13800138000"));
                assert!(!a.no_enforce_two_factor);
            }
            other => panic!("{other:?}"),
        }
        // An administrator needs a way to sign in.
        assert!(
            Cli::try_parse_from([
                "orgdesk",
                "org",
                "create",
                "--name",
                "A",
                "--admin-name",
                "B"
            ])
            .is_err()
        );
        assert!(Cli::try_parse_from(["orgdesk", "operator", "create"]).is_err());
    }

    #[test]
    fn the_readme_lists_every_command() {
        let readme = include_str!("../README.md");
        for command in [
            "serve",
            "migrate",
            "operator create",
            "org create",
            "seed",
            "audit verify",
        ] {
            assert!(
                readme.contains(&format!("orgdesk {command}")),
                "README does not mention `orgdesk {command}`"
            );
        }
        let names: Vec<String> = Cli::command()
            .get_subcommands()
            .map(|c| c.get_name().to_owned())
            .filter(|n| n != "help")
            .collect();
        assert_eq!(
            names,
            ["serve", "migrate", "operator", "org", "seed", "audit"]
        );
    }
}
