"""The starter exercise catalog loaded by `flask seed exercises`: common exercises, one line each."""

# ruff: noqa: E501 - one exercise per line reads as a table

# (title, muscle_group, equipment_required, complexity, description)
# fmt: off
_CATALOG = (
    # chest
    ("Push-Up", "chest", False, "beginner", "Hands under the shoulders, body in a straight line; lower the chest to the floor and press back up."),
    ("Knee Push-Up", "chest", False, "beginner", "A push-up from the knees: the same line from head to knees, less load."),
    ("Incline Push-Up", "chest", False, "beginner", "Hands on a bench or box: an easier push-up that still trains the full range."),
    ("Decline Push-Up", "chest", False, "intermediate", "Feet raised on a bench: shifts the load toward the upper chest and shoulders."),
    ("Diamond Push-Up", "chest", False, "intermediate", "Hands together under the chest, thumbs and index fingers touching: more triceps."),
    ("Barbell Bench Press", "chest", True, "intermediate", "Lying on a flat bench, lower the bar to the mid-chest and press it up over the shoulders."),
    ("Incline Dumbbell Press", "chest", True, "intermediate", "On a bench inclined 30-45 degrees, press the dumbbells from the upper chest."),
    ("Dumbbell Fly", "chest", True, "intermediate", "On a flat bench, open the arms in a wide arc with soft elbows and bring the dumbbells together."),
    ("Cable Crossover", "chest", True, "intermediate", "Standing between two high pulleys, draw the handles down and together in front of the hips."),
    ("Chest Dip", "chest", True, "advanced", "On parallel bars, lean forward and lower until the shoulders are below the elbows, then press up."),
    # back
    ("Pull-Up", "back", True, "intermediate", "Hanging from a bar with an overhand grip, pull the chest toward the bar and lower under control."),
    ("Chin-Up", "back", True, "intermediate", "A pull-up with an underhand, shoulder-width grip: more biceps."),
    ("Lat Pulldown", "back", True, "beginner", "Seated at a cable station, pull the bar to the upper chest, elbows driving down."),
    ("Seated Cable Row", "back", True, "beginner", "Sit tall and pull the handle to the waist, squeezing the shoulder blades together."),
    ("Bent-Over Barbell Row", "back", True, "intermediate", "Hinged at the hips with a flat back, row the bar to the lower ribs."),
    ("One-Arm Dumbbell Row", "back", True, "beginner", "One hand and knee on a bench, row the dumbbell to the hip."),
    ("Inverted Row", "back", True, "beginner", "Under a bar at hip height, body straight, pull the chest to the bar."),
    ("Superman", "back", False, "beginner", "Lying face down, lift arms, chest and legs off the floor and hold briefly."),
    ("Deadlift", "back", True, "advanced", "Lift the bar from the floor to standing with a neutral spine, pushing the floor away."),
    ("Face Pull", "back", True, "beginner", "Pull a rope at face height toward the forehead, elbows high, hands apart."),
    # legs
    ("Bodyweight Squat", "legs", False, "beginner", "Feet shoulder-width apart, sit the hips back and down until the thighs are level, then stand."),
    ("Barbell Back Squat", "legs", True, "intermediate", "Bar on the upper back, squat to at least parallel with the chest up and knees tracking the toes."),
    ("Front Squat", "legs", True, "advanced", "Bar racked on the front of the shoulders, squat with an upright torso."),
    ("Goblet Squat", "legs", True, "beginner", "Hold a dumbbell or kettlebell at the chest and squat between the knees."),
    ("Forward Lunge", "legs", False, "beginner", "Step forward and lower the back knee toward the floor, then push back to standing."),
    ("Walking Lunge", "legs", False, "beginner", "Lunge forward step after step, alternating legs."),
    ("Bulgarian Split Squat", "legs", True, "intermediate", "Rear foot on a bench, lower into a single-leg squat on the front leg."),
    ("Romanian Deadlift", "legs", True, "intermediate", "Soft knees, hinge at the hips and lower the bar along the thighs to feel the hamstrings."),
    ("Leg Press", "legs", True, "beginner", "Seated in the machine, lower the platform toward the chest and press it away."),
    ("Leg Extension", "legs", True, "beginner", "Seated, straighten the knees against the pad to work the quadriceps."),
    ("Lying Leg Curl", "legs", True, "beginner", "Face down on the machine, curl the heels toward the glutes."),
    ("Glute Bridge", "legs", False, "beginner", "On the back with knees bent, drive the hips up until the body is straight from knees to shoulders."),
    ("Barbell Hip Thrust", "legs", True, "intermediate", "Upper back on a bench, bar across the hips, drive the hips up to full extension."),
    ("Standing Calf Raise", "legs", False, "beginner", "Rise onto the balls of the feet, pause, and lower the heels slowly."),
    ("Step-Up", "legs", True, "beginner", "Step onto a box with one foot and stand up fully, then step down."),
    ("Pistol Squat", "legs", False, "expert", "A full single-leg squat with the other leg held straight in front."),
    ("Box Jump", "legs", True, "intermediate", "Jump onto a sturdy box landing softly with both feet, then step down."),
    # arms
    ("Barbell Curl", "arms", True, "beginner", "Standing, curl the bar toward the shoulders with the elbows still at the sides."),
    ("Dumbbell Biceps Curl", "arms", True, "beginner", "Curl the dumbbells with the palms turning up, elbows at the sides."),
    ("Hammer Curl", "arms", True, "beginner", "Curl the dumbbells with the palms facing each other: biceps and forearms."),
    ("Preacher Curl", "arms", True, "intermediate", "Upper arms on the preacher bench, curl the bar or dumbbell without swinging."),
    ("Triceps Pushdown", "arms", True, "beginner", "At a high pulley, push the bar or rope down until the elbows are straight."),
    ("Overhead Triceps Extension", "arms", True, "beginner", "Hold one dumbbell overhead with both hands and lower it behind the head."),
    ("Skull Crusher", "arms", True, "intermediate", "Lying on a bench, lower the bar toward the forehead by bending only the elbows."),
    ("Bench Dip", "arms", False, "beginner", "Hands on a bench behind you, lower the hips by bending the elbows, then press up."),
    ("Close-Grip Bench Press", "arms", True, "intermediate", "A bench press with the hands shoulder-width apart, elbows close: triceps."),
    ("Wrist Curl", "arms", True, "beginner", "Forearms on the thighs, curl a light weight with the wrists only."),
    # shoulders
    ("Overhead Press", "shoulders", True, "intermediate", "Standing, press the bar from the front of the shoulders to straight arms overhead."),
    ("Seated Dumbbell Shoulder Press", "shoulders", True, "beginner", "Seated upright, press the dumbbells from shoulder height to overhead."),
    ("Arnold Press", "shoulders", True, "intermediate", "A dumbbell press that starts palms-in at the chest and rotates to palms-out overhead."),
    ("Lateral Raise", "shoulders", True, "beginner", "Raise the dumbbells out to the sides to shoulder height with soft elbows."),
    ("Front Raise", "shoulders", True, "beginner", "Raise a dumbbell or plate in front of you to shoulder height."),
    ("Rear Delt Fly", "shoulders", True, "beginner", "Hinged forward, raise the dumbbells out to the sides, squeezing the upper back."),
    ("Upright Row", "shoulders", True, "intermediate", "Pull the bar up along the body to the lower chest, elbows leading."),
    ("Pike Push-Up", "shoulders", False, "intermediate", "Hips high in an inverted V, lower the head toward the floor between the hands."),
    ("Handstand Push-Up", "shoulders", False, "expert", "Against a wall in a handstand, lower the head to the floor and press back up."),
    # core
    ("Plank", "core", False, "beginner", "On the forearms and toes, hold a straight line from head to heels."),
    ("Side Plank", "core", False, "beginner", "On one forearm and the side of one foot, hold the hips up in line."),
    ("Crunch", "core", False, "beginner", "On the back with knees bent, curl the shoulders off the floor toward the hips."),
    ("Bicycle Crunch", "core", False, "beginner", "Alternate elbow to opposite knee while extending the other leg."),
    ("Russian Twist", "core", False, "intermediate", "Seated with the feet off the floor, rotate the torso side to side."),
    ("Hanging Leg Raise", "core", True, "advanced", "Hanging from a bar, raise the straight legs to hip height or higher without swinging."),
    ("Dead Bug", "core", False, "beginner", "On the back, arms up and knees bent, lower the opposite arm and leg while the back stays flat."),
    ("Bird Dog", "core", False, "beginner", "On hands and knees, extend the opposite arm and leg and hold the trunk still."),
    ("Ab Wheel Rollout", "core", True, "advanced", "From the knees, roll the wheel forward as far as the trunk stays rigid, then roll back."),
    ("Mountain Climber", "core", False, "beginner", "In a push-up position, drive the knees toward the chest one after the other, quickly."),
    ("Hollow Body Hold", "core", False, "intermediate", "On the back, arms and legs extended just off the floor, lower back pressed down."),
    ("Cable Woodchop", "core", True, "intermediate", "Rotate and pull a cable handle diagonally across the body from high to low."),
    # full body
    ("Burpee", "full_body", False, "intermediate", "Squat, kick the feet back to a push-up, return and jump up with the arms overhead."),
    ("Jumping Jack", "full_body", False, "beginner", "Jump the feet apart while raising the arms overhead, then back together."),
    ("Kettlebell Swing", "full_body", True, "intermediate", "Hinge and snap the hips to swing the kettlebell to chest height."),
    ("Power Clean", "full_body", True, "expert", "Pull the bar explosively from the floor and catch it on the front of the shoulders."),
    ("Clean and Jerk", "full_body", True, "expert", "Clean the bar to the shoulders, then drive it overhead in a split or power jerk."),
    ("Snatch", "full_body", True, "expert", "Lift the bar from the floor to overhead in one movement, catching it in a squat."),
    ("Thruster", "full_body", True, "intermediate", "A front squat straight into an overhead press in one movement."),
    ("Farmer's Walk", "full_body", True, "beginner", "Carry a heavy weight in each hand and walk tall for distance or time."),
    ("Turkish Get-Up", "full_body", True, "advanced", "From lying to standing and back with a kettlebell held overhead the whole time."),
    ("Bear Crawl", "full_body", False, "beginner", "On hands and feet, knees just off the floor, crawl forward with a flat back."),
    ("Rowing Machine", "full_body", True, "beginner", "Drive with the legs, swing back, pull the handle to the ribs; reverse in order."),
    ("Jump Rope", "full_body", True, "beginner", "Skip a rope with small, quick jumps on the balls of the feet."),
    ("Sled Push", "full_body", True, "intermediate", "Lean into a loaded sled and drive it forward with short, powerful steps."),
)
# fmt: on

EXERCISES: tuple[dict, ...] = tuple(
    {
        "title": title,
        "muscle_group": muscle_group,
        "equipment_required": equipment_required,
        "complexity": complexity,
        "description": description,
    }
    for title, muscle_group, equipment_required, complexity, description in _CATALOG
)
