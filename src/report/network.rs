//! The village network section: the village rebuilt from the scenario, laid out
//! once, and drawn at snapshot steps coloured by what households do.

use super::*;

/// The network section: the rebuilt village of replicate 0 of the first strategy,
/// coloured by the households' states at the snapshot steps of `households.csv`.
pub(super) fn network_section(dir: &Path, runs: &Runs, loaded: &Loaded) -> Result<String> {
    let mut h = String::new();
    let cell = &runs.cells[0];
    let Some(s) = &loaded.scenario else {
        let _ = write!(
            h,
            r#"<p class="note">The network is not drawn: the results folder holds no ties, and the scenario file to rebuild the village from could not be read. {}</p>"#,
            loaded.notes.join(" ")
        );
        return Ok(h);
    };
    let not_drawn = |why: String| {
        Ok(format!(
            r#"<p class="note">The network is not drawn: {why}</p>"#
        ))
    };
    let Some(k) = s.strategies.iter().position(|st| st.name == cell.strategy) else {
        return not_drawn(format!(
            "the scenario file has no strategy <code>{}</code>, the first strategy of the results.",
            escape(&cell.strategy)
        ));
    };
    let Ok(point) = cell.point.parse::<usize>() else {
        return not_drawn(format!(
            "design point <code>{}</code> is not a number.",
            escape(&cell.point)
        ));
    };
    if point >= s.point_count() {
        return not_drawn(format!("the scenario file has no design point {point}."));
    }
    let Some(spec) = crate::experiment::runner::plan(s)
        .into_iter()
        .find(|r| r.strategy == k && r.point == point && r.replicate == 0)
    else {
        return not_drawn("the scenario plans no replicate 0.".into());
    };
    if let Some((_, _, vseed)) = &runs.first_run
        && !vseed.is_empty()
        && *vseed != spec.village_seed.to_string()
    {
        return not_drawn(format!(
            "the scenario file gives replicate 0 the village seed {}, but the run used {}: \
             not the scenario that was run.",
            spec.village_seed,
            escape(vseed)
        ));
    }
    // Replicate 0's parameters: under a posterior, with the particle it drew.
    let params = s.run_params(k, point, 0);
    let village = crate::model::village::Village::build(
        &params,
        &s.inputs,
        &mut crate::model::rng::rng_from_seed(spec.village_seed),
    );
    let hh = &village.households;
    let n = hh.len();
    if n == 0 {
        return not_drawn("the village has no households.".into());
    }
    let group_names: Vec<String> = params
        .population
        .groups
        .iter()
        .map(|g| g.name.clone())
        .collect();
    let snapshots = data::read_households(dir, &cell.strategy, &cell.point, 0)?;
    let mut notes: Vec<String> = Vec::new();
    // States by household index, per snapshot step; checked against the village.
    let mut states: BTreeMap<u32, Vec<data::HouseholdState>> = BTreeMap::new();
    match snapshots {
        None => notes.push(
            "This results folder has no <code>households.csv</code> (the scenario sets \
             <code>output.households = false</code>), so the households' states are not \
             shown: the picture is the village at the start, coloured by group."
                .into(),
        ),
        Some(snaps) if snaps.is_empty() => notes.push(format!(
            "<code>households.csv</code> has no rows for replicate 0 of <code>{}</code>, so \
             the households' states are not shown.",
            escape(&cell.strategy)
        )),
        Some(snaps) => {
            let index: std::collections::HashMap<u64, usize> =
                (0..n).map(|i| (hh.external_id(i), i)).collect();
            let mut ok = true;
            for rows in snaps.values() {
                let distinct: std::collections::HashSet<u64> = rows.iter().map(|r| r.id).collect();
                ok &= rows.len() == n
                    && distinct.len() == n
                    && rows.iter().all(|r| {
                        index.get(&r.id).is_some_and(|&i| {
                            group_names.get(hh.group[i] as usize) == Some(&r.group)
                        })
                    });
            }
            if ok {
                for (step, rows) in snaps {
                    let mut by_index = rows.clone();
                    for r in rows {
                        let i = index[&r.id];
                        by_index[i] = r;
                    }
                    states.insert(step, by_index);
                }
            } else {
                notes.push(
                    "The households in <code>households.csv</code> do not match the rebuilt \
                     village (ids or groups differ), so their states are not shown."
                        .into(),
                );
            }
        }
    }
    // Which households to draw.
    let drawn: Vec<usize> = layout::sample_indices(
        n,
        if n > MAX_DRAWN { SAMPLE } else { n },
        spec.village_seed ^ 0x6e65_7477_6f72_6b21,
    );
    let pos_of: std::collections::HashMap<usize, usize> =
        drawn.iter().enumerate().map(|(j, &i)| (i, j)).collect();
    let mut edges = Vec::new();
    for (j, &i) in drawn.iter().enumerate() {
        for &nb in village.network.neighbors(i) {
            if let Some(&jb) = pos_of.get(&(nb as usize))
                && jb > j
            {
                edges.push((j, jb));
            }
        }
    }
    let groups: Vec<usize> = drawn.iter().map(|&i| hh.group[i] as usize).collect();
    let positions = layout::force_layout(drawn.len(), &groups, &edges, 300, spec.village_seed);
    let _ = write!(
        h,
        "<p>The village of replicate 0 of <b>{strat}</b> (village seed {vs}), rebuilt from the \
         scenario file: {n} households and {t} ties. Households are coloured by group{marks}. \
         The layout is force-directed{same}.</p>",
        strat = escape(&cell.label),
        vs = spec.village_seed,
        n = n,
        t = village.network.edge_count(),
        marks = if states.is_empty() {
            ""
        } else {
            "; members of the people's organization are outlined in black, leaders are \
             diamonds, and a black dot marks a household the organizer has contacted, at \
             each step <code>households.csv</code> records"
        },
        same = if states.len() > 1 {
            " and the same in every picture"
        } else {
            ""
        },
    );
    notes.push(
        "Only the village's initial ties are drawn: ties made at meetings during the run (bridging \
         ties across groups) are not recorded in the results."
            .into(),
    );
    if drawn.len() < n {
        notes.push(format!(
            "The village has more than {MAX_DRAWN} households, so a random sample of {} of its {n} \
             households is drawn, with the ties among them ({} of {}); the counts under each \
             picture are of the whole village.",
            drawn.len(),
            edges.len(),
            village.network.edge_count()
        ));
    }
    for note in &notes {
        let _ = write!(h, r#"<p class="note">{note}</p>"#);
    }
    // Legend.
    h.push_str(r#"<div class="legend">"#);
    for (g, name) in group_names.iter().enumerate() {
        let marg = params.population.groups[g].marginalized;
        let _ = write!(
            h,
            r#"<span><span class="dot" style="background:{}"></span>{}{}</span>"#,
            charts::GROUP_COLOURS[g % charts::GROUP_COLOURS.len()],
            escape(name),
            if marg { " (marginalized)" } else { "" }
        );
    }
    if !states.is_empty() {
        h.push_str(r#"<span><span class="dot" style="border:1.6px solid #000"></span>member</span><span><span class="dia"></span>leader</span><span><span class="dot" style="background:#fff;border:1px solid #999;position:relative"><span style="position:absolute;left:3px;top:3px;width:4px;height:4px;border-radius:50%;background:#000"></span></span>contacted by the organizer</span>"#);
    }
    h.push_str("</div>");
    // Snapshot steps: all, or the first, the last and evenly spaced between.
    let steps: Vec<u32> = states.keys().copied().collect();
    let chosen: Vec<u32> = if steps.len() <= MAX_SNAPSHOTS {
        steps.clone()
    } else {
        let mut c: Vec<u32> = (0..MAX_SNAPSHOTS)
            .map(|j| steps[j * (steps.len() - 1) / (MAX_SNAPSHOTS - 1)])
            .collect();
        c.dedup();
        c
    };
    h.push_str(r#"<div class="net-grid">"#);
    let node = |j: usize, st: Option<&data::HouseholdState>| NetNode {
        pos: positions[j],
        group: groups[j],
        id: hh.external_id(drawn[j]),
        member: st.map(|s| s.member),
        leader: st.map(|s| s.leader),
        contacted: st.map(|s| s.contacted),
    };
    if chosen.is_empty() {
        let nodes: Vec<NetNode> = (0..drawn.len()).map(|j| node(j, None)).collect();
        let _ = write!(
            h,
            "<figure>{}<figcaption>Step 0: the village before the organizer arrives, by group.</figcaption></figure>",
            charts::network(
                "network-0",
                "The village network at step 0",
                &nodes,
                &edges,
                &group_names
            )
        );
    }
    for step in chosen {
        let st = &states[&step];
        let nodes: Vec<NetNode> = (0..drawn.len())
            .map(|j| node(j, st.get(drawn[j])))
            .collect();
        let members = st.iter().filter(|s| s.member).count();
        let leaders = st.iter().filter(|s| s.leader).count();
        let contacted = st.iter().filter(|s| s.contacted).count();
        let when = if cell.exit == Some(step as f64) {
            " (the organizer's exit)"
        } else if step as f64 == cell.steps {
            " (the end)"
        } else if step == 0 {
            " (the start)"
        } else {
            ""
        };
        let _ = write!(
            h,
            "<figure>{svg}<figcaption><b>Step {step}{when}</b>: {members} members ({mp}), {leaders} leaders, {contacted} households contacted ({cp}) of {n}.</figcaption></figure>",
            svg = charts::network(
                &format!("network-{step}"),
                &format!("The village network at step {step}"),
                &nodes,
                &edges,
                &group_names
            ),
            mp = pct(members, n),
            cp = pct(contacted, n),
        );
    }
    h.push_str("</div>");
    Ok(h)
}
